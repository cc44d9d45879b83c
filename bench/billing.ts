// Billing-run throughput: a postpaid run over N accounts with M rated records each (default 100,000
// x 20 = 2,000,000), from start to the last final invoice (record charges posted to the ledger,
// drafts with lines and itemised statements, invariant checks, invoice postings), beside a
// same-run baseline: one set-based SQL statement building the same invoice totals straight from
// the records. Checks that every account's total equals the baseline's.
// Run: npm run bench:billing [-- --accounts N --records-per-account M --batch-size B --parallelism P]
// Uses TEMPORAL_ADDRESS when set, otherwise starts a Temporal dev server (TEMPORAL_CLI or the cached
// build); makes a database of its own beside DATABASE_URL and drops it afterwards.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { createParty } from '../db/queries/parties';
import { manyAccountsWithRecords } from '../test/fixtures/billing';
import { billingRunToEnd, invoiceTotalsSql } from './billing-shared';
import { openBenchServices, runBench, startInProcessWorker } from './services';

const { values } = parseArgs({ options: {
  accounts: { type: 'string', default: '100000' }, 'records-per-account': { type: 'string', default: '20' },
  'batch-size': { type: 'string', default: '1000' }, parallelism: { type: 'string', default: '2' },
} });
const accounts = Number.parseInt(values.accounts, 10);
const perAccount = Number.parseInt(values['records-per-account'], 10);
const batchSize = Number.parseInt(values['batch-size'], 10);
const parallelism = Number.parseInt(values.parallelism, 10);
const say = (line: string) => console.log(line);

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const services = await openBenchServices();
  const { database, temporal } = services;
  const { taskQueue, stop } = await startInProcessWorker(services);
  try {
    const operator = await createParty(database.db, { kind: 'internal', name: 'bench operator' });
    say(`generating ${accounts.toLocaleString('en')} accounts x ${perAccount} records…`);
    await manyAccountsWithRecords(database.sql, operator.id, 'BA', accounts, perAccount);
    await database.sql`vacuum analyze`;

    const baselineStarted = performance.now();
    await database.sql.unsafe(`create table bench_baseline as ${invoiceTotalsSql('true')}`);
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;

    const runId = `bench-${randomBytes(3).toString('hex')}`;
    const { seconds, workflowId, progress: result } = await billingRunToEnd(temporal, database.sql, {
      runId, ownerPartyId: operator.id, runDate: '2024-04-03', taskQueue, batchSize, parallelism,
    });
    const [check] = await database.sql<Array<{ invoices: number; mismatched: number }>>`
      select count(*)::int as invoices, (count(*) filter (where b.total is distinct from i.total))::int as mismatched
      from invoices i left join bench_baseline b on b.account_id = i.account_id where i.run_id = ${runId} and i.status = 'final'`;
    const [ledger] = await database.sql<Array<{ debits: string; credits: string }>>`
      select sum(amount) filter (where side = 'debit')::text as debits, sum(amount) filter (where side = 'credit')::text as credits from ledger_lines`;
    const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
    const rate = check!.invoices / seconds;
    const baselineRate = accounts / baselineSeconds;
    say('');
    say(`baseline  one set-based statement building the invoice totals: ${accounts.toLocaleString('en')} accounts in ${baselineSeconds.toFixed(2)} s = ${Math.round(baselineRate).toLocaleString('en')} invoices/s`);
    say(`meterflow billing run (batches of ${batchSize}, ${parallelism} at once): ${check!.invoices.toLocaleString('en')} final invoices from ${(accounts * perAccount).toLocaleString('en')} records in ${seconds.toFixed(2)} s = ${Math.round(rate).toLocaleString('en')} invoices/s; counts ${JSON.stringify(result.counts)}`);
    say(`ratio     ${(rate / baselineRate).toFixed(2)} of the baseline (target ≥ 0.25)`);
    say(`check     ${check!.mismatched} invoice totals differ from the baseline; ledger debits ${ledger!.debits} = credits ${ledger!.credits}: ${ledger!.debits === ledger!.credits}`);
    say(`workflow  history ${history.events?.length ?? 0} events`);
  } finally {
    await stop();
    await services.close();
  }
}

runBench(main);
