import { formatError } from './format-error';

// Which part of an .xlsx holds which sheet. We read the package relationships and the workbook
// part ourselves (small XML, attribute values only) so that we can choose the records and
// categories sheets before any sheet is inflated, and give ExcelJS nothing else. Sheet names are
// only ever compared, never used as object keys, so a sheet called `__proto__` is just ignored.

export interface WorkbookSheet {
  readonly name: string;
  /** Zip entry name of the sheet part, e.g. `xl/worksheets/sheet2.xml`. */
  readonly path: string;
}

export interface WorkbookParts {
  readonly sheets: readonly WorkbookSheet[];
  readonly sharedStringsPath?: string;
  readonly stylesPath?: string;
  /** Dates count from 1904 (old Mac Excel) rather than 1900. */
  readonly date1904: boolean;
}

const DEFAULT_WORKBOOK_PATH = 'xl/workbook.xml';

/** Locates the parts; `readPart` returns a part's XML text or undefined when the zip lacks it. */
export function readWorkbookParts(readPart: (path: string) => string | undefined): WorkbookParts {
  const rootRelations = relationships(readPart('_rels/.rels') ?? '', '');
  const workbookPath = rootRelations.find((r) => r.type.endsWith('/officeDocument'))?.target ?? DEFAULT_WORKBOOK_PATH;
  const workbookXml = readPart(workbookPath);
  if (workbookXml === undefined) throw formatError('BAD_XLSX', `The workbook part ${workbookPath} is missing`);

  const folder = workbookPath.slice(0, workbookPath.lastIndexOf('/') + 1);
  const relationsPath = `${folder}_rels/${workbookPath.slice(folder.length)}.rels`;
  const relations = relationships(readPart(relationsPath) ?? '', folder);
  const targetById = new Map(relations.map((r) => [r.id, r.target]));

  const sheets: WorkbookSheet[] = [];
  for (const attributes of tags(workbookXml, 'sheet')) {
    const name = attributes.get('name');
    const relationId = [...attributes].find(([key]) => key.endsWith(':id'))?.[1];
    const path = relationId === undefined ? undefined : targetById.get(relationId);
    if (name !== undefined && path !== undefined) sheets.push({ name, path });
  }
  const workbookProperties = tags(workbookXml, 'workbookPr')[0];
  const date1904 = ['1', 'true'].includes(workbookProperties?.get('date1904') ?? '');
  return {
    sheets,
    sharedStringsPath: relations.find((r) => r.type.endsWith('/sharedStrings'))?.target,
    stylesPath: relations.find((r) => r.type.endsWith('/styles'))?.target,
    date1904,
  };
}

interface Relationship {
  readonly id: string;
  readonly type: string;
  /** Zip entry name the target resolves to. */
  readonly target: string;
}

function relationships(xml: string, folder: string): Relationship[] {
  return tags(xml, 'Relationship').flatMap((attributes) => {
    const id = attributes.get('Id');
    const target = attributes.get('Target');
    if (id === undefined || target === undefined || attributes.get('TargetMode') === 'External') return [];
    return [{ id, type: attributes.get('Type') ?? '', target: resolvePartPath(folder, target) }];
  });
}

/** A target relative to the source part's folder (or absolute from the package root), normalized. */
export function resolvePartPath(folder: string, target: string): string {
  const joined = target.startsWith('/') ? target.slice(1) : folder + target;
  const segments: string[] = [];
  for (const segment of joined.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '.' && segment !== '') segments.push(segment);
  }
  return segments.join('/');
}

/** Attributes of every `<name …>` / `<prefix:name …>` element (values entity-decoded). */
function tags(xml: string, name: string): Array<Map<string, string>> {
  const pattern = new RegExp(`<(?:[\\w.-]+:)?${name}(?=[\\s/>])([^>]*)>`, 'g');
  return [...xml.matchAll(pattern)].map((match) => attributesOf(match[1] ?? ''));
}

function attributesOf(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of text.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attributes.set(match[1] ?? '', decodeXmlEntities(match[2] ?? match[3] ?? ''));
  }
  return attributes;
}

const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

export function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const codePoint = entity[1] === 'x' ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
    }
    return NAMED_ENTITIES.get(entity) ?? whole;
  });
}
