import { ITEM_CRITERIA, parseItemPrecision, type ItemCriterion, type ItemPrecision } from './columns';
import { quoteValue } from './cell-error';
import type { PreparedContext } from './context';
import type { RowScope } from './row-scope';

// Which item a row reports on (SPEC §1.6, §5 48–49): the search criteria and value must name
// exactly one item of the product. An MPN the product does not have is a new item when the row
// describes it (name, unit, precision) and the product accepts dynamic items.

export type ItemRef =
  | { readonly kind: 'existing'; readonly id: string; readonly mpn: string; readonly precision: ItemPrecision }
  | {
      readonly kind: 'dynamic';
      readonly mpn: string;
      readonly name: string;
      readonly unit: string;
      readonly precision: ItemPrecision;
    };

const DYNAMIC_COLUMNS = ['item_name', 'item_unit', 'item_precision', 'item_mpn'] as const;

export function resolveItem(scope: RowScope, context: PreparedContext): ItemRef | undefined {
  const search = itemSearch(scope, context);
  if (!search) return undefined;
  const { criterion, value, valueColumn } = search;

  const matches = context.itemsByCriterion.get(criterion)?.get(value) ?? [];
  const [only, second] = matches;
  if (only && !second) return { kind: 'existing', id: only.id, mpn: only.mpn, precision: only.precision };
  if (second) {
    const ids = matches.map((i) => i.id).join(', ');
    scope.fail(valueColumn, 'ITEM_AMBIGUOUS', `${criterion} ${quoteValue(value)} matches ${matches.length} items of the product (${ids})`);
    return undefined;
  }
  const describesNewItem = DYNAMIC_COLUMNS.some((c) => scope.value(c) !== '');
  if (criterion === 'item.mpn' && describesNewItem) return dynamicItem(scope, context, value, valueColumn);

  const hint =
    criterion === 'item.mpn' && context.capabilities.dynamic
      ? '; to create it as a dynamic item, fill item_name, item_unit and item_precision'
      : '';
  scope.fail(valueColumn, 'ITEM_NOT_FOUND', `no item of the product has ${criterion} ${quoteValue(value)}${hint}`);
  return undefined;
}

interface ItemSearch {
  criterion: ItemCriterion;
  value: string;
  valueColumn: string;
}

function itemSearch(scope: RowScope, context: PreparedContext): ItemSearch | undefined {
  const criteriaColumn = scope.header('item_search_criteria');
  const valueColumn = scope.header('item_search_value');
  const criteria = scope.value('item_search_criteria');
  const value = scope.value('item_search_value');
  // A dynamic-item row may name its item by item_mpn alone (SPEC §1.6 note 1).
  const mpn = scope.value('item_mpn');
  if (criteria === '' && value === '' && mpn !== '' && context.capabilities.dynamic) {
    const mpnColumn = scope.header('item_mpn');
    return scope.hasFailed(mpnColumn) ? undefined : { criterion: 'item.mpn', value: mpn, valueColumn: mpnColumn };
  }
  const checkedCriteria = scope.required('item_search_criteria');
  const checkedValue = scope.required('item_search_value');
  if (checkedCriteria === undefined || checkedValue === undefined) return undefined;
  if (!isItemCriterion(criteria)) {
    scope.fail(criteriaColumn, 'BAD_CRITERIA', `${criteriaColumn} ${quoteValue(criteria)} is not one of ${ITEM_CRITERIA.join(', ')}`);
    return undefined;
  }
  return { criterion: criteria, value, valueColumn };
}

function dynamicItem(scope: RowScope, context: PreparedContext, mpn: string, valueColumn: string): ItemRef | undefined {
  if (!context.capabilities.dynamic) {
    scope.fail(
      valueColumn,
      'DYNAMIC_ITEMS_DISABLED',
      `item ${quoteValue(mpn)} is not in the product, and the product does not accept dynamic items`,
    );
    return undefined;
  }
  const why = ` to create the dynamic item ${quoteValue(mpn)}`;
  const name = scope.required('item_name', why);
  const unit = scope.required('item_unit', why);
  const precisionText = scope.required('item_precision', why);
  const precision = precisionText === undefined ? undefined : parseItemPrecision(precisionText);
  if (precisionText !== undefined && precision === undefined) {
    scope.fail(
      scope.header('item_precision'),
      'BAD_ITEM_PRECISION',
      `item_precision ${quoteValue(precisionText)} is not one of integer, decimal(1), decimal(2), decimal(4), decimal(8)`,
    );
  }
  const writtenMpn = scope.value('item_mpn');
  const mpnColumn = scope.header('item_mpn');
  if (writtenMpn !== '' && writtenMpn !== mpn && !scope.hasFailed(mpnColumn)) {
    scope.fail(mpnColumn, 'ITEM_MPN_MISMATCH', `item_mpn ${quoteValue(writtenMpn)} differs from the searched MPN ${quoteValue(mpn)}`);
    return undefined;
  }
  if (name === undefined || unit === undefined || precision === undefined) return undefined;
  return { kind: 'dynamic', mpn, name, unit, precision };
}

function isItemCriterion(text: string): text is ItemCriterion {
  return (ITEM_CRITERIA as readonly string[]).includes(text);
}
