import { copyText } from '../../../db/copy';

// Rated rows as the ledger and billing take them: `billable_records` lines in COPY text format. The
// baselines COPY them into a table with the same columns and indexes (`like billable_records including all`).

export const BILLABLE_COLUMNS = 'id, source, source_ref, account_id, subscription_id, service_id, currency, category, item, unit, quantity, amount, usage_at, billing_effective_at, plan_id, plan_version';

export interface RatedRow {
  id: string;
  accountId: string;
  subscriptionId: string;
  serviceId: string;
  currency: string;
  category: string;
  unit: string;
  quantity: string;
  amount: string;
  usageAt: string;
  planId: string;
  planVersion: number;
}

export function billableLine(sourceRef: string, r: RatedRow): string {
  return `${[
    copyText(r.id), 'feed', copyText(sourceRef), copyText(r.accountId), copyText(r.subscriptionId), copyText(r.serviceId), r.currency, copyText(r.category),
    copyText(r.category), r.unit, r.quantity, r.amount, r.usageAt, r.usageAt, copyText(r.planId), String(r.planVersion),
  ].join('\t')}\n`;
}

export async function freshBillableTable(sql: import('postgres').Sql, table: string): Promise<void> {
  await sql.unsafe(`drop table if exists ${table}`);
  await sql.unsafe(`create table ${table} (like billable_records including all)`);
}
