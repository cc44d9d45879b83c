import type { SqlOrTx } from './ledger';

// Accepted usage files become billable (DESIGN "life of a usage record": for vendor usage files,
// records become billable when the distributor accepts the file). Mapping, kept small: the record's
// asset names its customer (assets.customer_id = customer_accounts.id); the subscription is that
// account's subscription in force at the record's start (the earliest started, if several); the
// service is the asset. Records with an amount (PR/CR/TR schemas) are rated already (COMPLETED);
// QT records carry no amount and wait for rating (PENDING, charged nothing until rated). Records
// whose asset has no customer account stay out and are counted. Idempotent by the record id
// "usage:{fileId}:{recordId}".

export async function releaseAcceptedRecords(sql: SqlOrTx, fileId: string): Promise<{ released: number; withoutAccount: number }> {
  const [row] = await sql<Array<{ released: number; without_account: number }>>`
    with src as (
      select r.file_id, r.record_id, r.asset_id, r.category_id, r.quantity, r.amount, r.start_at, r.item_id, r.item_mpn, r.item_unit, f.currency,
        (select s.id from subscriptions s where s.account_id = a.customer_id and s.started_at <= r.start_at
           and (s.ended_at is null or s.ended_at > r.start_at) order by s.started_at, s.id limit 1) as subscription_id,
        ca.id as account_id
      from usage_records r
      join usage_files f on f.id = r.file_id and f.current_upload_no = r.upload_no
      left join assets a on a.id = r.asset_id
      left join customer_accounts ca on ca.id = a.customer_id
      where r.file_id = ${fileId} and r.status = 'approved'
    ), ins as (
      insert into billable_records (id, source, source_ref, account_id, subscription_id, service_id, currency, category, item, unit,
        quantity, amount, usage_at, billing_effective_at, directive, life_cycle, rating_state)
      select 'usage:' || s.file_id || ':' || s.record_id, 'usageFile', s.file_id, s.account_id, s.subscription_id, s.asset_id, s.currency,
        coalesce(s.category_id, 'generic'), coalesce(i.mpn, s.item_mpn, s.item_id, ''), coalesce(i.unit, s.item_unit, ''), coalesce(s.quantity, 0),
        coalesce(s.amount, 0), s.start_at, s.start_at, 'TO_BE_BILLED', 'POSTED',
        (case when s.amount is null then 'PENDING' else 'COMPLETED' end)::rating_state
      from src s left join items i on i.id = s.item_id
      where s.account_id is not null and s.subscription_id is not null
      on conflict (id) do nothing returning 1
    )
    select (select count(*) from ins)::int as released,
      (select count(*) from src where account_id is null or subscription_id is null)::int as without_account`;
  return { released: row!.released, withoutAccount: row!.without_account };
}
