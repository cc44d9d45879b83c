// The example plans parse, and the example records rate through them with the numbers docs/rating.md quotes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inferSchema, initParser } from 'udsv';
import { describe, expect, it } from 'vitest';
import {
  computePeriodCharges,
  createRater,
  parseRatePlan,
  parseUsageRecords,
  recordFromColumns,
  type RatePlan,
  type UsageRecord,
} from '../../../domain/rating/index';

const examples = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'examples');
const plan = (name: string): RatePlan => parseRatePlan(JSON.parse(readFileSync(join(examples, 'plans', `${name}.json`), 'utf8')));
const records = (name: string): UsageRecord[] => {
  const text = readFileSync(join(examples, 'records', `${name}.csv`), 'utf8');
  return parseUsageRecords(initParser(inferSchema(text)).stringObjs(text).map(recordFromColumns));
};

function rateExample(name: string, timeZone: string) {
  const subject = plan(name);
  const rate = createRater({ plans: [subject], asOf: '2025-01-01T00:00:00Z', timeZone });
  const items = records(name).map((record) => ({ record, result: rate(record) }));
  const bySubscription = new Map<string, typeof items>();
  for (const item of items) bySubscription.set(item.record.subscription ?? '', [...(bySubscription.get(item.record.subscription ?? '') ?? []), item]);
  const totals = Object.fromEntries([...bySubscription].map(([key, group]) => [key, computePeriodCharges({ plans: [subject], items: group }).total]));
  const amounts = Object.fromEntries(items.map(({ record, result }) => [record.id, result.status === 'rated' ? result.amount : result.status === 'deferred' ? `deferred:${result.chargeId}` : `failed:${result.reason}`]));
  return { amounts, totals };
}

describe('examples', () => {
  it('every plan in examples/plans parses', () => {
    const files = readdirSync(join(examples, 'plans')).filter((file) => file.endsWith('.json'));
    expect(files.sort()).toEqual(['cloud.json', 'telecom.json']);
    for (const file of files) expect(() => plan(file.replace('.json', ''))).not.toThrow();
  });

  it('rates examples/records/telecom.csv through the telecom plan', () => {
    expect(rateExample('telecom', 'Europe/London')).toEqual({
      amounts: {
        't-001': '0.1125', // peak uk-fixed, 60 s block then per second, + 0.02 connect fee
        't-002': '0.3383', // uk-mobile, 90 s peak + 190 s off-peak (split at 18:00)
        't-003': '0.0500', // starts at 18:00:00: all off-peak
        't-004': '0.4000', // europe, split at 08:00, + 0.05 connect fee
        't-005': '0.0000', // zero length: no connect fee
        't-006': '0.5000', // premium: minimum charge
        't-007': '20.0000', // premium: capped
        't-008': '0.4000', // north america, 6 s increments
        't-009': '0.0400', // Christmas Eve into Christmas Day: the holiday rate from midnight
        't-010': '54.1000', // world, over the 50.00 maximum: flagged, kept
        't-011': '0.0400',
        't-012': '0.1000', // international SMS (regex condition)
        't-013': 'deferred:data',
        't-014': 'deferred:data',
        't-015': '3.7500', // pre-rated roaming: kept
        't-016': '0.3200', // +1867 is longer than +1: canada-north
        't-017': '0.0505',
        't-018': 'failed:NO_RATE',
      },
      totals: { 'sub-acme-1': '82.3938', 'sub-globex-1': '5.0000' },
    });
  });

  it('rates examples/records/cloud.csv through the cloud plan', () => {
    const { amounts, totals } = rateExample('cloud', 'UTC');
    expect(amounts).toMatchObject({ 'c-001': '29.952000', 'c-002': '18.006250', 'c-003': '24.760320', 'c-005': '0.020480', 'c-007': 'deferred:storage' });
    expect(totals).toEqual({ 'sub-acme-cloud': '465.969050', 'sub-initech-cloud': '1.000000' });
  });
});
