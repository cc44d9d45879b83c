-- Period close reads a subscription's deferred mediated records (their price is a period charge) by
-- usage time; partial, so records rated one by one cost no index entry.
CREATE INDEX IF NOT EXISTS "mediated_records_deferred_idx" ON "mediated_records" ("subscription_id", "usage_at") WHERE "status" = 'COMPLETED' AND "rating" ->> 'status' = 'deferred';
