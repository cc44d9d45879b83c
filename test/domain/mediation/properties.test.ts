// Properties of the gates: deterministic, and the duplicate check does not depend on record order
// (beyond which copy of a duplicate is the first).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMediator, mediateBatch, type CanonicalRecord } from '../../../domain/mediation/index';
import { aContext, aFeed, aRecord, aService } from './builders';

const IDENTIFIERS = ['+447700900001', '+447700900002', '+447700900003'];
const services = IDENTIFIERS.slice(0, 2).map((value, i) => aService({ id: `svc-${i}`, identifiers: [{ type: 'MSISDN', value, validFrom: '2024-01-01T00:00:00Z' }] }));
const context = aContext({ services });
const feed = aFeed();

const recordArb: fc.Arbitrary<CanonicalRecord> = fc
  .record({
    identifier: fc.constantFrom(...IDENTIFIERS),
    minute: fc.integer({ min: 0, max: 60 * 24 * 60 }),
    seconds: fc.integer({ min: 0, max: 5 }),
    usageType: fc.constantFrom('voice', 'sms', 'data'),
    destination: fc.constantFrom('+442071234567', '+15550100'),
  })
  .map(({ identifier, minute, seconds, usageType, destination }) =>
    aRecord({
      serviceIdentifier: identifier,
      origin: identifier,
      start: new Date(Date.parse('2024-02-15T00:00:00Z') + minute * 60_000).toISOString(),
      durationSeconds: String(seconds),
      usageType,
      destination,
    }),
  );

const withIds = (records: CanonicalRecord[]) => records.map((record, i) => ({ ...record, id: `r${i}` }));

describe('gate properties', () => {
  it('are deterministic: the same record and context give the same result, on a fresh or a reused mediator', () => {
    const reused = createMediator(feed, context);
    fc.assert(
      fc.property(recordArb, (record) => {
        const first = createMediator(feed, context).mediate(record, new Set());
        expect(reused.mediate(record, new Set())).toEqual(first);
        expect(createMediator(feed, structuredClone(context)).mediate(structuredClone(record), new Set())).toEqual(first);
      }),
    );
  });

  it('with distinct duplicate keys, every record gets the same outcome in any order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(recordArb, { selector: (r) => `${r.serviceIdentifier}|${r.start}|${r.durationSeconds}|${r.destination}`, maxLength: 15 }), fc.infiniteStream(fc.nat()), (records, randoms) => {
        const ordered = withIds(records);
        const shuffled = [...ordered].sort(() => (randoms.next().value % 3) - 1);
        const byId = (results: ReturnType<typeof mediateBatch>) => Object.fromEntries(results.map((r) => [r.recordId, [r.status, r.reason]]));
        expect(byId(mediateBatch(feed, context, shuffled))).toEqual(byId(mediateBatch(feed, context, ordered)));
        expect(mediateBatch(feed, context, ordered).some((r) => r.reason === 'DUPLICATE')).toBe(false);
      }),
    );
  });

  it('with repeated keys, the number of DUPLICATEs does not depend on the order', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), (records, repeats) => {
        const withCopies = withIds([...records, ...repeats.flatMap((i) => (records.length === 0 ? [] : [records[i % records.length]!]))]);
        const reversed = [...withCopies].reverse();
        const count = (rs: CanonicalRecord[]) => mediateBatch(feed, context, rs).filter((r) => r.reason === 'DUPLICATE').length;
        expect(count(reversed)).toBe(count(withCopies));
      }),
    );
  });
});
