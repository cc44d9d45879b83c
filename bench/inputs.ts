// Deterministic bench inputs: the same seed gives the same bytes, so two runs measure the same work.
// Usage-file CSVs, rating records (cloud and telecom), Asterisk CDR files with their services and
// subscriptions, and the rate plans of examples/plans.
import { readFileSync } from 'node:fs';
import type { ServiceSnapshot, SubscriptionSnapshot } from '../domain/mediation/index';
import { parseRatePlan, type UsageRecord } from '../domain/rating/index';
import { seededRandom } from '../lib/seeded-random';
import { aUsageRow, usageCsv, type Catalog } from '../test/fixtures/catalog';

const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
const pad = (value: number, width: number) => String(value).padStart(width, '0');
const digits = (next: () => number, count: number) => Array.from({ length: count }, () => Math.floor(next() * 10)).join('');

export function loadPlan(name: 'cloud' | 'telecom') {
  return parseRatePlan(JSON.parse(readFileSync(new URL(`../examples/plans/${name}.json`, import.meta.url), 'utf8')));
}

/**
 * A valid QT usage file of `rows` rows for the catalog (quantities from the seed), as CSV bytes in
 * parts of up to `partRows` rows: a 10M-row file is larger than any one string can be.
 */
export function* usageFileCsvParts(catalog: Catalog, rows: number, seed: number, partRows = 50_000): Generator<Buffer> {
  const next = seededRandom(seed);
  for (let from = 0; from < rows; from += partRows) {
    const part = Array.from({ length: Math.min(partRows, rows - from) }, (_, i) => aUsageRow(catalog, from + i, { quantity: `${Math.floor(next() * 1000)}.${pad(Math.floor(next() * 100), 2)}` }));
    const text = usageCsv(part);
    // Each part is written as a CSV of its own: only the first keeps its header row.
    yield Buffer.from(from === 0 ? text : text.slice(text.indexOf('\r\n') + 2));
  }
}

/** The whole file of usageFileCsvParts as one buffer (sizes up to a few million rows). */
export const usageFileCsv = (catalog: Catalog, rows: number, seed: number): Buffer => Buffer.concat([...usageFileCsvParts(catalog, rows, seed)]);

export function cloudRecords(count: number, seed = 1): UsageRecord[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => ({
    id: `c${index}`,
    account: `acct-${index % 500}`,
    start: `2024-03-${pad(1 + Math.floor(next() * 28), 2)}T${pad(Math.floor(next() * 24), 2)}:${pad(Math.floor(next() * 60), 2)}:00Z`,
    usageType: 'compute',
    quantity: `${Math.floor(next() * 48)}.${pad(Math.floor(next() * 100), 2)}`,
    unit: 'vcpu_hour',
  }));
}

const DESTINATIONS = ['+441', '+442', '+447', '+447', '+447', '+449', '+33', '+49', '+1', '+1867', '+61', '+81'];

// Peak opens at 08:00 and closes at 18:00 on weekdays (London time); a quarter of the calls start in
// the ten minutes before one of those edges or before midnight, so splitting is exercised hard.
const EDGE_HOURS = [7, 17, 23];

export function telecomRecords(count: number, seed = 2): UsageRecord[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const day = 1 + Math.floor(next() * 28);
    const nearEdge = next() < 0.25;
    const hour = nearEdge ? pick(next, EDGE_HOURS) : Math.floor(next() * 24);
    const minute = nearEdge ? 50 + Math.floor(next() * 10) : Math.floor(next() * 60);
    const start = `2024-03-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(Math.floor(next() * 60), 2)}Z`;
    // Mostly short calls, some long.
    const durationSeconds = String(next() < 0.8 ? Math.floor(next() * 900) : Math.floor(next() * 7200));
    const prefix = pick(next, DESTINATIONS);
    return {
      id: `t${index}`,
      account: `acct-${index % 500}`,
      start,
      durationSeconds,
      usageType: 'voice',
      origin: `+44207${digits(next, 7)}`,
      destination: `${prefix}${digits(next, 12 - prefix.length)}`,
    };
  });
}

/** Extensions 1000.. as services of `accounts` subscriptions (one account each), active all of March 2024. */
export function pbxCustomers(extensions: number, accounts: number): { services: ServiceSnapshot[]; subscriptions: SubscriptionSnapshot[] } {
  const subscriptions = Array.from({ length: accounts }, (_, i) => ({
    id: `sub-${i}`, accountId: `acc-${i}`, timeZone: 'UTC', lateGraceSeconds: 86_400,
    periods: [{ startAt: '2024-03-01T00:00:00Z', endAt: '2024-04-01T00:00:00Z', state: 'CLOSED' as const }],
  }));
  const services = Array.from({ length: extensions }, (_, i) => ({
    id: `ext-${1000 + i}`, status: 'ACTIVE' as const, activeFrom: '2024-01-01T00:00:00Z', subscriptionId: `sub-${i % accounts}`,
    identifiers: [{ type: 'EXTENSION', value: String(1000 + i), validFrom: '2024-01-01T00:00:00Z' }],
  }));
  return { services, subscriptions };
}

/** An Asterisk Master.csv of `rows` answered calls from `extensions` extensions in March 2024, as byte chunks of ~64 KiB. */
export function asteriskCdrFile(rows: number, extensions: number, seed: number): Buffer[] {
  const next = seededRandom(seed);
  const out: Buffer[] = [];
  let chunk = '';
  const base = Date.parse('2024-03-01T00:00:00Z');
  for (let i = 0; i < rows; i++) {
    const ext = 1000 + Math.floor(next() * extensions);
    const stamp = new Date(base + Math.floor(next() * 30 * 86_400) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const billsec = 1 + Math.floor(next() * 900);
    chunk += `"","${ext}","44207${digits(next, 6)}","from-internal","""User ${ext}"" <${ext}>","SIP/${ext}-0000${i}","SIP/trunk-0000${i}","Dial","SIP/trunk/4420,60","${stamp}","${stamp}","${stamp}",${billsec + 5},${billsec},"ANSWERED","DOCUMENTATION","${1709251200 + i}.${i}",""\n`;
    if (chunk.length > 65_536) {
      out.push(Buffer.from(chunk));
      chunk = '';
    }
  }
  out.push(Buffer.from(chunk));
  return out;
}
