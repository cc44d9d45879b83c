import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rateCommand, type RateCommandIo } from '../../../cli/rate';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

function harness(files: Record<string, string> = {}) {
  const output = { stdout: '', stderr: '' };
  const io: RateCommandIo = {
    stdout: (text) => { output.stdout += text; },
    stderr: (text) => { output.stderr += text; },
    readFile: async (path) => files[path] ?? readFile(join(root, path), 'utf8'),
    now: () => '2025-01-01T00:00:00Z',
  };
  return { io, output };
}

describe('meterflow rate', () => {
  it('prints per-record results with traces and period charges as JSON', async () => {
    const { io, output } = harness();
    const code = await rateCommand(['--plan', 'examples/plans/telecom.json', '--records', 'examples/records/telecom.csv', '--tz', 'Europe/London'], io);
    expect(code).toBe(0);
    const printed = JSON.parse(output.stdout);
    expect(printed.summary).toEqual({ records: 18, rated: 15, deferred: 2, failed: 1, failures: { NO_RATE: 1 } });
    expect(printed.results[1]).toMatchObject({ index: 1, recordId: 't-002', amount: '0.3383', trace: { pieces: [{ rate: { rateId: 'uk-mobile-peak' } }, { rate: { rateId: 'uk-mobile-off-peak' } }] } });
    expect(printed.periodCharges.map((charges: { key: string; total: string }) => [charges.key, charges.total])).toEqual([['sub-acme-1', '82.3938'], ['sub-globex-1', '5.0000']]);
    expect(output.stderr).toContain('18 records, 15 rated, 2 deferred, 1 failed');
  });

  it('prints CSV', async () => {
    const { io, output } = harness();
    expect(await rateCommand(['--plan', 'examples/plans/cloud.json', '--records', 'examples/records/cloud.csv', '--format', 'csv'], io)).toBe(0);
    const [records, charges] = output.stdout.split('\n\n');
    expect(records?.split('\n')[1]).toBe('0,c-001,acme,rated,29.952000,USD,compute,cloud-payg,0,1,,');
    expect(charges).toContain('sub-acme-cloud,total,total,,,,,15,465.969050,USD');
  });

  it('reads JSON records and a parent plan', async () => {
    const child = { id: 'child', version: 1, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 }, parent: { id: 'base' }, rates: [] };
    const parent = { id: 'base', version: 3, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 }, rates: [{ id: 'sms', usageType: 'sms', unit: 'sms', price: '0.05' }] };
    const { io, output } = harness({
      'child.json': JSON.stringify(child),
      'base.json': JSON.stringify(parent),
      'usage.json': JSON.stringify([{ id: 'a', start: '2024-03-01T10:00:00Z', usageType: 'sms', quantity: '3', channel: 'app' }]),
    });
    expect(await rateCommand(['--plan', 'child.json', '--plan', 'base.json', '--records', 'usage.json', '--as-of', '2024-04-01T00:00:00Z'], io)).toBe(0);
    const printed = JSON.parse(output.stdout);
    expect(printed.chain).toEqual([{ id: 'child', version: 1 }, { id: 'base', version: 3 }]);
    expect(printed.results[0]).toMatchObject({ amount: '0.15', trace: { rate: { rate: { planId: 'base', level: 1 } } } });
  });

  it.each<[string, Record<string, string>, string[], number, RegExp]>([
    ['names the record index, line and field of a bad CSV cell', { 'bad.csv': 'id,start,usageType,quantity\na,2024-03-01T10:00:00Z,sms,1\nb,2024-03-01T10:00:00Z,sms,1;5\n' }, ['--plan', 'examples/plans/telecom.json', '--records', 'bad.csv'], 1, /bad\.csv: record index 1 \(line 3\), field quantity: quantity must be a non-negative decimal string/],
    ['names the record index and field of a bad JSON record', { 'bad.json': '[{"id":"a","start":"tomorrow","usageType":"sms"}]' }, ['--plan', 'examples/plans/telecom.json', '--records', 'bad.json'], 1, /record index 0, field start: expected an ISO 8601 instant/],
    ['names the JSON path of a bad plan', { 'plan.json': '{"id":"p","version":1,"currency":"EUR","rounding":{"method":"up","decimals":2},"rates":[{"id":"r","usageType":"sms","price":"1"}]}' }, ['--plan', 'plan.json', '--records', 'examples/records/telecom.csv'], 1, /plan\.json: \$\.rates\[0\]\.unit: a rate needs a unit/],
    ['asks for a missing parent plan', { 'child.json': '{"id":"c","version":1,"currency":"EUR","rounding":{"method":"up","decimals":2},"parent":{"id":"base"}}' }, ['--plan', 'child.json', '--records', 'examples/records/telecom.csv'], 1, /has parent base: give its file/],
    ['refuses an unknown time zone', {}, ['--plan', 'examples/plans/telecom.json', '--records', 'examples/records/telecom.csv', '--tz', 'Mars/Base'], 1, /not an IANA time zone/],
    ['explains its usage', {}, ['--records', 'x.csv'], 2, /usage: meterflow rate/],
    ['refuses an unknown format', {}, ['--plan', 'p.json', '--records', 'x.csv', '--format', 'xml'], 2, /json or csv/],
  ])('%s', async (_name, files, argv, code, message) => {
    const { io, output } = harness(files);
    expect(await rateCommand(argv, io)).toBe(code);
    expect(output.stderr).toMatch(message);
    expect(output.stdout).toBe('');
  });
});
