import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors';
import { BUILT_IN_FEEDS, parseFeedDefinition, REQUIRED_FIELDS, type FeedDefinitionInput } from '../../../domain/mediation/index';
import { aFeedInput } from './builders';

function issuesOf(json: unknown): Array<{ path: string; message: string }> {
  try {
    parseFeedDefinition(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected the feed to be rejected');
}

function without(field: string): FeedDefinitionInput {
  const input = aFeedInput();
  const mapping: Record<string, unknown> = { ...input.mapping };
  delete mapping[field];
  return { ...input, mapping: mapping as FeedDefinitionInput['mapping'] };
}

describe('parseFeedDefinition', () => {
  it.each(Object.keys(BUILT_IN_FEEDS))('accepts the built-in %s', (id) => {
    expect(parseFeedDefinition(BUILT_IN_FEEDS[id]).id).toBe(id);
  });

  it.each(REQUIRED_FIELDS)('rejects a mapping without %s, with a per-field error (SPEC item 1)', (field) => {
    expect(issuesOf(without(field))).toEqual([{ path: `$.mapping.${field}`, message: `required canonical field ${field} is not mapped` }]);
  });

  it('rejects a mapping with neither end, durationSeconds nor quantity', () => {
    expect(issuesOf(without('durationSeconds'))).toEqual([{ path: '$.mapping.durationSeconds', message: 'map at least one of end, durationSeconds, quantity' }]);
  });

  it('lists every missing field at once', () => {
    const input = aFeedInput({ mapping: { usageType: { constant: 'voice' }, quantity: { from: 'q' } } });
    expect(issuesOf(input).map((issue) => issue.path)).toEqual(['$.mapping.serviceIdentifier', '$.mapping.serviceIdentifierType', '$.mapping.start']);
  });

  it.each([
    ['an unknown mapping target', { mapping: { ...aFeedInput().mapping, colour: { from: 'c' } } }, '$.mapping'],
    ['an unknown transform', { mapping: { ...aFeedInput().mapping, start: { from: 's', transforms: [{ op: 'sparkle' }] } } }, '$.mapping.start.transforms[0].op'],
    ['a bad date pattern', { mapping: { ...aFeedInput().mapping, start: { from: 's', transforms: [{ op: 'parseDateTime', format: 'yyyy-MM-dd hh:mm' }] } } }, '$.mapping.start.transforms[0].format'],
    ['an unknown time zone', { mapping: { ...aFeedInput().mapping, start: { from: 's', transforms: [{ op: 'parseDateTime', format: 'iso8601', timeZone: 'Mars/Olympus' }] } } }, '$.mapping.start.transforms[0].timeZone'],
    ['seconds -> minutes without decimals', { mapping: { ...aFeedInput().mapping, durationSeconds: { from: 'd', transforms: [{ op: 'convertUnit', from: 'second', to: 'minute' }] } } }, '$.mapping.durationSeconds.transforms[0]'],
    ['bytes -> seconds', { mapping: { ...aFeedInput().mapping, quantity: { from: 'q', transforms: [{ op: 'convertUnit', from: 'byte', to: 'second', decimals: 2 }] } } }, '$.mapping.quantity.transforms[0]'],
    ['a bad regex', { mapping: { ...aFeedInput().mapping, origin: { from: 'o', transforms: [{ op: 'extract', pattern: '(' }] } } }, '$.mapping.origin.transforms[0]'],
    ['an unknown category in a rule', { categories: { rules: [{ category: 'ROAMING', when: { field: 'usageType', equals: 'x' } }], default: 'MISC' } }, '$.categories.rules[0].category'],
    ['an unknown default category', { categories: { default: 'OTHER' } }, '$.categories.default'],
    ['a lower-case rule code', { errorRules: [{ code: 'too_old', action: 'quarantine', when: { olderThanDays: 90 } }] }, '$.errorRules[0].code'],
    ['an unknown rule action', { errorRules: [{ code: 'X', action: 'ignore', when: { olderThanDays: 90 } }] }, '$.errorRules[0].action'],
    ['a predicate on an unknown field', { errorRules: [{ code: 'X', action: 'flag', when: { field: 'colour', equals: 'red' } }] }, '$.errorRules[0].when.field'],
    ['an empty duplicate key', { duplicateKey: [] }, '$.duplicateKey'],
    ['a duplicate key on an unknown field', { duplicateKey: ['colour'] }, '$.duplicateKey[0]'],
    ['a headerless delimited format without columns', { format: { kind: 'delimited', header: false } }, '$.format.columns'],
    ['a two-character delimiter', { format: { kind: 'delimited', header: true, delimiter: '||' } }, '$.format.delimiter'],
    ['another schema version', { schemaVersion: 2 }, '$.schemaVersion'],
  ])('rejects %s', (_name, overrides, path) => {
    expect(issuesOf({ ...aFeedInput(), ...overrides }).map((issue) => issue.path)).toContain(path);
  });

  it('fills in defaults', () => {
    const feed = parseFeedDefinition(aFeedInput({ errorRules: undefined }));
    expect(feed.format).toEqual({ kind: 'delimited', header: true, delimiter: ',', quote: '"', skipLines: 0 });
    expect(feed.errorRules).toEqual([]);
    expect(feed.categories.extra).toEqual([]);
  });
});
