// Every example file under examples/feeds/ loads through its definition; the built-in definitions
// and their JSON copies there stay equal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_FEEDS,
  mapRawRecord,
  mediateBatch,
  parseFeedDefinition,
  parseRawRows,
  type CanonicalRecord,
  type MapOutcome,
} from '../../../domain/mediation/index';
import { aContext, aService } from './builders';

const DIR = join(import.meta.dirname, '../../../examples/feeds');
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');

function load(definitionFile: string, dataFile: string): MapOutcome[] {
  const feed = parseFeedDefinition(JSON.parse(read(definitionFile)));
  return parseRawRows(read(dataFile), feed.format).map((row) => {
    if (!row.ok) throw new Error(`${dataFile}:${row.lineNumber} ${row.message}`);
    return mapRawRecord(row.row, feed);
  });
}

function records(outcomes: MapOutcome[]): CanonicalRecord[] {
  return outcomes.map((outcome) => {
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    return outcome.record;
  });
}

describe('examples/feeds', () => {
  it.each(Object.keys(BUILT_IN_FEEDS))('%s.feed.json equals the built-in definition', (id) => {
    expect(JSON.parse(read(`${id}.feed.json`))).toEqual(BUILT_IN_FEEDS[id]);
  });

  it('Asterisk Master.csv (no header, quoted, a comma inside clid)', () => {
    const mapped = records(load('asterisk-cdr-csv.feed.json', 'asterisk-Master.csv'));
    expect(mapped).toHaveLength(4);
    expect(mapped[0]).toMatchObject({ id: '1709546400.1', serviceIdentifier: '1001', serviceIdentifierType: 'EXTENSION', start: '2024-03-04T10:00:05.000Z', durationSeconds: '120', destination: '442071234567', attributes: { disposition: 'ANSWERED', totalSeconds: '125' } });
    // Unanswered: no answer time, so the start is the call start; billsec 0.
    expect(mapped[2]).toMatchObject({ start: '2024-03-04T12:00:00.000Z', durationSeconds: '0', attributes: { accountcode: 'sales', disposition: 'NO ANSWER' } });
  });

  it('Asterisk through the gates: answered calls complete, the unanswered one is INCORRECT_DURATION', () => {
    const feed = parseFeedDefinition(BUILT_IN_FEEDS['asterisk-cdr-csv']);
    const mapped = records(load('asterisk-cdr-csv.feed.json', 'asterisk-Master.csv'));
    const services = ['1001', '1002', '1003'].map((value) => aService({ id: `ext-${value}`, identifiers: [{ type: 'EXTENSION', value, validFrom: '2024-01-01T00:00:00Z' }] }));
    const results = mediateBatch(feed, aContext({ services }), mapped);
    expect(results.map((r) => [r.recordId, r.status, r.reason])).toEqual([
      ['1709546400.1', 'COMPLETED', null],
      ['1709550930.3', 'COMPLETED', null],
      ['1709553600.5', 'QUARANTINED', 'INCORRECT_DURATION'],
      ['1709631000.6', 'COMPLETED', null],
    ]);
    expect(results.map((r) => r.rating?.status === 'rated' ? r.rating.amount : null)).toEqual(['0.2000', '0.0500', null, '1.5000']);
  });

  it('FreeSWITCH default template CSV', () => {
    const mapped = records(load('freeswitch-cdr-csv.feed.json', 'freeswitch-Master.csv'));
    expect(mapped.map((r) => [r.id, r.serviceIdentifier, r.start, r.durationSeconds])).toEqual([
      ['0b8e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', '+442071110001', '2024-03-04T10:00:04.000Z', '300'],
      ['1c9f4a5b-2d3e-4f60-9bac-1d2e3f4a5b6c', '+442071110002', '2024-03-04T10:10:06.000Z', '60'],
      ['3e1b6c7d-4f50-4182-9dce-3f4a5b6c7d8e', '+442071110001', '2024-03-04T10:20:00.000Z', '0'],
    ]);
    expect(mapped[0]?.attributes).toMatchObject({ hangupCause: 'NORMAL_CLEARING', codecs: 'PCMA/PCMA', accountcode: 'acct-7' });
  });

  it('generic metering: JSON lines and CSV with a header give the same records', () => {
    const fromJson = records(load('generic-metering-jsonl.feed.json', 'generic-metering.jsonl'));
    const fromCsv = records(load('generic-metering-csv.feed.json', 'generic-metering.csv'));
    expect(fromCsv).toEqual(fromJson);
    expect(fromJson.map((r) => [r.id, r.serviceIdentifierType, r.start, r.quantity, r.unit, r.usageType])).toEqual([
      ['evt-0001', 'METER', '2024-03-04T10:00:00.000Z', '1', 'hour', 'compute'],
      ['evt-0002', 'STORAGE_BUCKET', '2024-03-04T09:05:00.000Z', '1536.25', 'MB', 'egress'],
      ['evt-0003', 'MSISDN', '2024-03-04T10:06:00.000Z', '1', 'sms', 'sms'],
    ]);
  });

  it('fixed-width carrier file: local Sydney time, bytes -> MB, regex, lookup, concatenation', () => {
    const mapped = records(load('mobile-carrier-fixed-width.feed.json', 'mobile-carrier-fixed-width.txt'));
    expect(mapped.map((r) => [r.id, r.serviceIdentifier, r.start, r.usageType, r.durationSeconds, r.quantity])).toEqual([
      ['carrier-x:ab12', '+61412345678', '2024-03-04T10:00:00.000Z', 'voice', '120', undefined],
      ['carrier-x:ab13', '+61412345678', '2024-03-04T10:05:00.000Z', 'sms', '0', undefined],
      ['carrier-x:ab14', '+61412345678', '2024-03-04T11:00:00.000Z', 'data', '3600', '1.53625'],
    ]);
  });
});
