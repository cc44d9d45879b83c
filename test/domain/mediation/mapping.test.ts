import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapRawRecord, parseFeedDefinition, type Transform, type ValueSpec } from '../../../domain/mediation/index';
import { aFeed, aFeedInput } from './builders';

const ROW = { id: 'r1', number: '+447700900001', start: '2024-03-04T10:00:00Z', seconds: '60', type: 'voice', to: '+442071234567' };

/** A feed whose `attributes.out` is `spec`: the simplest way to test one value spec. */
function valueOf(spec: ValueSpec, raw: Record<string, unknown>) {
  const input = aFeedInput();
  const feed = parseFeedDefinition({ ...input, mapping: { ...input.mapping, attributes: { out: spec } } });
  const outcome = mapRawRecord({ ...ROW, ...raw }, feed);
  return outcome.ok ? outcome.record.attributes?.out : outcome.errors;
}

const transformed = (transforms: Transform[], value: unknown) => valueOf({ from: 'in', transforms }, { in: value });

describe('mapRawRecord', () => {
  it('maps a row to a canonical record: instants in UTC ISO form, decimals canonical', () => {
    const outcome = mapRawRecord({ ...ROW, seconds: '060.50' }, aFeed());
    expect(outcome).toEqual({
      ok: true,
      record: {
        id: 'r1', serviceIdentifier: '+447700900001', serviceIdentifierType: 'MSISDN', start: '2024-03-04T10:00:00.000Z',
        durationSeconds: '60.5', usageType: 'voice', origin: '+447700900001', destination: '+442071234567',
      },
    });
  });

  it.each([
    ['a required field is empty', { number: '' }, [{ field: 'serviceIdentifier', code: 'MISSING_FIELD' }]],
    ['a required field is absent', { type: undefined }, [{ field: 'usageType', code: 'MISSING_FIELD' }]],
    ['start is not an instant', { start: '04/03/2024' }, [{ field: 'start', code: 'INVALID_DATE' }]],
    ['duration is negative', { seconds: '-5' }, [{ field: 'durationSeconds', code: 'INVALID_DECIMAL' }]],
    ['duration is not a number', { seconds: '1e3' }, [{ field: 'durationSeconds', code: 'INVALID_DECIMAL' }]],
    ['a value is an object', { type: { a: 1 } }, [{ field: 'usageType', code: 'INVALID_VALUE' }]],
    ['two fields are bad', { number: '', start: 'x' }, [{ field: 'serviceIdentifier', code: 'MISSING_FIELD' }, { field: 'start', code: 'INVALID_DATE' }]],
  ])('lists the errors when %s', (_name, raw, errors) => {
    const outcome = mapRawRecord({ ...ROW, ...raw }, aFeed());
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.errors.map(({ field, code }) => ({ field, code }))).toEqual(errors);
  });

  it('END_BEFORE_START when end precedes start', () => {
    const input = aFeedInput();
    const feed = parseFeedDefinition({ ...input, mapping: { ...input.mapping, end: { from: 'end' } } });
    const outcome = mapRawRecord({ ...ROW, end: '2024-03-04T09:59:59Z' }, feed);
    expect(outcome).toMatchObject({ ok: false, errors: [{ field: 'end', code: 'END_BEFORE_START' }] });
  });

  it('uses the caller row reference when the feed maps no id', () => {
    const input = aFeedInput();
    const { id: _id, ...mapping } = input.mapping;
    const feed = parseFeedDefinition({ ...input, mapping });
    expect(mapRawRecord(ROW, feed, { recordId: 'file-1:42' })).toMatchObject({ ok: true, record: { id: 'file-1:42' } });
    expect(mapRawRecord(ROW, feed)).toMatchObject({ ok: false, errors: [{ field: 'id', code: 'MISSING_FIELD' }] });
  });

  it('accepts JSON numbers and booleans, and dotted paths into JSON objects', () => {
    expect(valueOf({ from: 'n' }, { n: 42 })).toBe('42');
    expect(valueOf({ from: 'b' }, { b: true })).toBe('true');
    expect(valueOf({ from: 'meta.site' }, { meta: { site: 'LON1' } })).toBe('LON1');
    expect(valueOf({ from: 'meta.site' }, { 'meta.site': 'flat key wins' })).toBe('flat key wins');
  });

  it('never changes the raw row (SPEC item 2)', () => {
    const feed = parseFeedDefinition({
      ...aFeedInput(),
      mapping: { ...aFeedInput().mapping, attributes: { a: { from: 'x', transforms: [{ op: 'trim' }, { op: 'upperCase' }] }, b: { concat: [{ from: 'x' }, { constant: '-' }], separator: '' } } },
    });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))), fc.string(), (extra, x) => {
        const raw = { ...extra, ...ROW, x };
        const before = structuredClone(raw);
        mapRawRecord(Object.freeze(raw), feed);
        expect(raw).toEqual(before);
      }),
    );
  });
});

describe('value sources', () => {
  it.each([
    ['rename: from one raw field', { from: 'in' } as ValueSpec, { in: 'x' }, 'x'],
    ['first non-empty of several', { from: ['a', 'b'] } as ValueSpec, { a: '', b: 'second' }, 'second'],
    ['default when empty', { from: 'in', default: 'none' } as ValueSpec, { in: '' }, 'none'],
    ['constant', { constant: 'K' } as ValueSpec, {}, 'K'],
    ['concatenation with a separator', { concat: [{ from: 'a' }, { constant: 'x' }, { from: 'b' }], separator: ':' } as ValueSpec, { a: '1', b: '2' }, '1:x:2'],
    ['concatenation with an empty part', { concat: [{ from: 'a' }, { from: 'b' }], separator: '/' } as ValueSpec, { a: '1' }, '1/'],
  ])('%s', (_name, spec, raw, expected) => {
    expect(valueOf(spec, raw)).toBe(expected);
  });
});

describe('transforms', () => {
  it.each([
    ['trim', [{ op: 'trim' }], '  a b ', 'a b'],
    ['upperCase', [{ op: 'upperCase' }], 'voice', 'VOICE'],
    ['lowerCase', [{ op: 'lowerCase' }], 'VOICE', 'voice'],
    ['extract group 1', [{ op: 'extract', pattern: '<(\\d+)>' }], '"Alice" <1001>', '1001'],
    ['extract group 0', [{ op: 'extract', pattern: '\\d+', group: 0 }], 'SIP/1001-0001', '1001'],
    ['replace all', [{ op: 'replace', pattern: '[ ()-]', replacement: '' }], '+44 (20) 7123-4567', '+442071234567'],
    ['lookup', [{ op: 'lookup', table: { A: 'ANSWERED', N: 'NO ANSWER' } }], 'A', 'ANSWERED'],
    ['lookup default', [{ op: 'lookup', table: { A: 'ANSWERED' }, default: 'OTHER' }], 'Z', 'OTHER'],
    ['transforms chain in order', [{ op: 'trim' }, { op: 'lookup', table: { a: 'b' } }, { op: 'upperCase' }], ' a ', 'B'],
  ] as Array<[string, Transform[], string, string]>)('%s', (_name, transforms, input, expected) => {
    expect(transformed(transforms, input)).toBe(expected);
  });

  it.each([
    ['extract without a match', [{ op: 'extract', pattern: '^\\d+$' }], 'abc', 'NO_MATCH'],
    ['lookup miss', [{ op: 'lookup', table: { A: 'x' } }], 'B', 'LOOKUP_MISS'],
    ['unit conversion of a non-number', [{ op: 'convertUnit', from: 'byte', to: 'MB' }], '12kB', 'INVALID_DECIMAL'],
    ['a date that does not fit the pattern', [{ op: 'parseDateTime', format: 'yyyy-MM-dd HH:mm:ss' }], '2024-03-04T10:00:00', 'INVALID_DATE'],
    ['an impossible date', [{ op: 'parseDateTime', format: 'yyyy-MM-dd HH:mm:ss' }], '2023-02-29 10:00:00', 'INVALID_DATE'],
  ] as Array<[string, Transform[], string, string]>)('fails with a code: %s', (_name, transforms, input, code) => {
    expect(transformed(transforms, input)).toMatchObject([{ field: 'attributes.out', code }]);
  });

  it.each([
    ['bytes -> MB (exact shift)', 'byte', 'MB', undefined, undefined, '1536250', '1.53625'],
    ['bytes -> MB, tiny', 'byte', 'MB', undefined, undefined, '1', '0.000001'],
    ['MB -> bytes', 'MB', 'byte', undefined, undefined, '1.5', '1500000'],
    ['ms -> seconds', 'millisecond', 'second', undefined, undefined, '61500', '61.5'],
    ['seconds -> minutes, 4 decimals half-up', 'second', 'minute', 4, 'half-up', '61', '1.0167'],
    ['seconds -> minutes, whole minutes up', 'second', 'minute', 0, 'up', '61', '2'],
    ['seconds -> minutes, exact', 'second', 'minute', 2, undefined, '90', '1.5'],
    ['bytes -> KiB', 'byte', 'KiB', 3, 'half-even', '1536', '1.5'],
    ['bytes -> MiB', 'byte', 'MiB', 6, 'down', '1000000', '0.953674'],
    ['zero', 'byte', 'GB', undefined, undefined, '0', '0'],
  ] as const)('convertUnit %s', (_name, from, to, decimals, rounding, input, expected) => {
    const transform = { op: 'convertUnit', from, to, ...(decimals === undefined ? {} : { decimals }), ...(rounding === undefined ? {} : { rounding }) } as Transform;
    expect(transformed([transform], input)).toBe(expected);
  });

  it.each([
    ['UTC pattern', 'yyyy-MM-dd HH:mm:ss', 'UTC', '2024-03-04 10:00:00', '2024-03-04T10:00:00.000Z'],
    ['milliseconds', 'yyyy-MM-dd HH:mm:ss.SSS', 'UTC', '2024-03-04 10:00:00.250', '2024-03-04T10:00:00.250Z'],
    ['day first', 'dd/MM/yyyy HH:mm', 'UTC', '04/03/2024 10:00', '2024-03-04T10:00:00.000Z'],
    ['compact', 'yyyyMMddHHmmss', 'UTC', '20240304100000', '2024-03-04T10:00:00.000Z'],
    ['New York winter', 'yyyy-MM-dd HH:mm:ss', 'America/New_York', '2024-03-04 10:00:00', '2024-03-04T15:00:00.000Z'],
    ['London summer', 'yyyy-MM-dd HH:mm:ss', 'Europe/London', '2024-07-01 12:00:00', '2024-07-01T11:00:00.000Z'],
    ['London: a time skipped by the spring change moves forward', 'yyyy-MM-dd HH:mm:ss', 'Europe/London', '2024-03-31 01:30:00', '2024-03-31T01:30:00.000Z'],
    ['London: a repeated autumn time is the earlier instant', 'yyyy-MM-dd HH:mm:ss', 'Europe/London', '2024-10-27 01:30:00', '2024-10-27T00:30:00.000Z'],
    ['Kolkata (+05:30)', 'yyyy-MM-dd HH:mm:ss', 'Asia/Kolkata', '2024-03-04 10:00:00', '2024-03-04T04:30:00.000Z'],
    ['epoch seconds', 'epochSeconds', 'UTC', '1709546400', '2024-03-04T10:00:00.000Z'],
    ['epoch milliseconds', 'epochMillis', 'UTC', '1709546400123', '2024-03-04T10:00:00.123Z'],
    ['ISO with offset ignores the zone', 'iso8601', 'America/New_York', '2024-03-04T10:00:00+01:00', '2024-03-04T09:00:00.000Z'],
    ['ISO without offset is local to the zone', 'iso8601', 'America/New_York', '2024-03-04T10:00:00', '2024-03-04T15:00:00.000Z'],
    ['ISO Z', 'iso8601', 'America/New_York', '2024-03-04T10:00:00Z', '2024-03-04T10:00:00.000Z'],
  ])('parseDateTime: %s', (_name, format, timeZone, input, expected) => {
    expect(transformed([{ op: 'parseDateTime', format, timeZone }], input)).toBe(expected);
  });
});
