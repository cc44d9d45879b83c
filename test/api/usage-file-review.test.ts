import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../lib/mail';
import { signLink } from '../../lib/link-token';
import { reviewLinks, startSmtpSink, type SmtpSink } from '../../lib/smtp-sink';
import { listUsageFileEvents } from '../../db/queries/usage-files';
import { aCatalog, aUsageRow, usageCsv, type Catalog } from '../fixtures/catalog';
import { apiClient } from '../fixtures/api';
import { useIntegration } from '../helpers/integration';

// Submit, accept and reject through the API and through signed links mailed over real SMTP
// (an in-process SMTP server), the provider's usage rules, and the reminder timer.

let smtp: SmtpSink;
beforeAll(async () => { smtp = await startSmtpSink(); });
afterAll(async () => { await smtp.close(); });

const PUBLIC_URL = 'http://meterflow.test';
const ctx = useIntegration({
  mail: () => ({ mailer: createMailer(smtp.url, 'Meterflow <mf@test>'), publicUrl: PUBLIC_URL, linkSecret: 'meterflow-development-link-secret', linkTtlDays: 14 }),
});
const api = () => apiClient(ctx.app);
const path = (link: string) => link.replace(PUBLIC_URL, '');
const postForm = (link: string, fields: Record<string, string> = {}) =>
  ctx.app.request(path(link), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

async function readyFile(c: Catalog, rows = 3, overrides: Record<string, unknown> = {}) {
  const file = await api().createFile(c, overrides);
  await api().upload(c, file.id, usageCsv(Array.from({ length: rows }, (_, i) => aUsageRow(c, i))), 'ready');
  return file;
}

const submit = async (c: Catalog, id: string) => api().json(await api().call('POST', `/v1/usage-files/${id}/submit`, c.vendor.auth, {}), 200);
const mailFor = (c: Catalog, id: string, kind: 'review' | 'reminder' = 'review') =>
  smtp.waitFor((m) => m.to.includes(c.email) && m.text.includes(`${kind === 'review' ? 'The' : 'Reminder: the'} usage file ${id}`));

describe('review: submit, accept, reject', () => {
  it('submit moves file and records to pending and mails the provider links; accepting by link approves every record once', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await readyFile(c);
    expect(await submit(c, file.id)).toMatchObject({ status: 'pending', records: { pending: 3, valid: 0 } });
    const links = reviewLinks(await mailFor(c, file.id));
    expect(links.accept.startsWith(`${PUBLIC_URL}/links/usage-files/`)).toBe(true);

    const page = await ctx.app.request(path(links.accept));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    expect((await api().waitForStatus(c, file.id, 'pending')).records.pending).toBe(3); // a GET changes nothing

    const accepted = await postForm(links.accept, { note: 'looks right' });
    expect(accepted.status, await accepted.clone().text()).toBe(200);
    const after = await api().waitForStatus(c, file.id, 'accepted');
    expect(after).toMatchObject({ acceptanceNote: 'looks right', records: { approved: 3, pending: 0, total: 3 } });
    const accept = after.events.find((e: { action: string }) => e.action === 'accept');
    expect(accept).toMatchObject({ actorPartyId: c.provider.party.id, note: 'looks right' });

    expect((await postForm(links.accept)).status).toBe(409); // valid once
    const reject = await postForm(links.reject, { note: 'too late' });
    expect(reject.status).toBe(409); // the file is no longer pending
    expect((await api().waitForStatus(c, file.id, 'accepted')).events).toHaveLength(after.events.length);
  });

  it('rejects through the API with a note; records follow; the vendor uploads again from rejected', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await readyFile(c);
    await submit(c, file.id);
    const rejected = await api().json(await api().call('POST', `/v1/usage-files/${file.id}/reject`, c.provider.auth, { note: 'wrong prices' }), 200);
    expect(rejected).toMatchObject({ status: 'rejected', rejectionNote: 'wrong prices', records: { rejected: 3 } });
    const again = await api().upload(c, file.id, usageCsv([aUsageRow(c, 5)]), 'ready');
    expect(again.records).toMatchObject({ total: 1, valid: 1, rejected: 0 });
  });

  it('rejects by link only with a note', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await readyFile(c);
    await submit(c, file.id);
    const links = reviewLinks(await mailFor(c, file.id));
    expect((await postForm(links.reject, {})).status).toBe(400);
    expect((await postForm(links.reject, { note: 'duplicate report' })).status).toBe(200);
    expect(await api().waitForStatus(c, file.id, 'rejected')).toMatchObject({ rejectionNote: 'duplicate report', records: { rejected: 3 } });
  });

  it('refuses a tampered or expired link and changes nothing', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await readyFile(c);
    await submit(c, file.id);
    const links = reviewLinks(await mailFor(c, file.id));
    const tampered = links.accept.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    expect((await postForm(tampered)).status).toBe(404);
    const otherFile = links.accept.replace(file.id, 'UF-2024-03-0000-0000');
    expect((await postForm(otherFile)).status).toBe(404);
    const expired = signLink('meterflow-development-link-secret', { fileId: file.id, action: 'accept', recipient: c.email, expiresAtSeconds: 1_000 });
    expect((await postForm(`/links/usage-files/${expired}`)).status).toBe(404);
    const forged = signLink('another-secret-of-sixteen-chars', { fileId: file.id, action: 'accept', recipient: c.email, expiresAtSeconds: 4_000_000_000 });
    expect((await postForm(`/links/usage-files/${forged}`)).status).toBe(404);
    expect(await api().waitForStatus(c, file.id, 'pending')).toMatchObject({ records: { pending: 3 } });
  });

  it('refuses actions of the wrong role (403) and in the wrong state (409, nothing changed)', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await readyFile(c);
    expect((await api().call('POST', `/v1/usage-files/${file.id}/submit`, c.provider.auth, {})).status).toBe(403);
    expect((await api().call('POST', `/v1/usage-files/${file.id}/accept`, c.vendor.auth, {})).status).toBe(403);
    expect((await api().call('POST', `/v1/usage-files/${file.id}/accept`, c.ops.auth, {})).status).toBe(403);
    const res = await api().call('POST', `/v1/usage-files/${file.id}/accept`, c.provider.auth, {});
    expect(res.status).toBe(409);
    expect((await res.json() as { error: unknown }).error).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'ready', action: 'accept' });
    expect((await listUsageFileEvents(ctx.database.db, file.id)).map((e) => e.action)).toEqual(['create', 'upload', 'startProcessing', 'markReady']);
  });
});

describe('provider usage rules', () => {
  it('accepts automatically when the rule holds, and waits for a person when it does not', async () => {
    const c = await aCatalog(ctx.database.db, { schema: 'PR' });
    await api().json(await api().call('PUT', `/v1/products/${c.product.id}/usage-rule`, c.provider.auth, { autoAccept: true, maxRecords: 10, maxTotalAmount: '1000.00' }), 200);
    const columns = ['record_id', 'item_search_criteria', 'item_search_value', 'quantity', 'start_time_utc', 'end_time_utc', 'asset_search_criteria', 'asset_search_value', 'amount'];
    const small = await api().createFile(c);
    await api().upload(c, small.id, usageCsv([aUsageRow(c, 1, { amount: '10.00' }, columns), aUsageRow(c, 2, { amount: '20.00' }, columns)], columns), 'ready');
    await submit(c, small.id);
    const auto = await api().waitForStatus(c, small.id, 'accepted');
    expect(auto.records).toMatchObject({ approved: 2 });
    expect(auto.events.at(-1)).toMatchObject({ action: 'accept', actorPartyId: null, note: 'accepted by the provider usage rule' });

    const large = await api().createFile(c);
    await api().upload(c, large.id, usageCsv([aUsageRow(c, 1, { amount: '999.99' }, columns), aUsageRow(c, 2, { amount: '0.01' }, columns)], columns), 'ready');
    await submit(c, large.id);
    await mailFor(c, large.id); // a person is asked instead
    expect((await api().waitForStatus(c, large.id, 'pending')).records.pending).toBe(2);
  });

  it('mails a reminder when the file is still pending after the rule\'s delay (a durable timer)', async () => {
    const c = await aCatalog(ctx.database.db);
    await api().json(await api().call('PUT', `/v1/products/${c.product.id}/usage-rule`, c.provider.auth, { autoAccept: false, reminderAfterDays: 0.00003 }), 200);
    const file = await readyFile(c);
    await submit(c, file.id);
    await mailFor(c, file.id);
    const reminder = await mailFor(c, file.id, 'reminder');
    expect(reviewLinks(reminder).accept).toContain('/links/usage-files/');
    // The mail reaches the SMTP server before the sending activity returns to the workflow, so the
    // workflow's record of it can lag the mail by a moment.
    let progress = (await api().waitForStatus(c, file.id, 'pending')).progress;
    for (let i = 0; i < 50 && !progress.reminderSent; i++) {
      await new Promise((r) => setTimeout(r, 100));
      progress = (await api().waitForStatus(c, file.id, 'pending')).progress;
    }
    expect(progress).toMatchObject({ reminderSent: true });
  });

  it('never mails or shows a preview file to the provider', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await readyFile(c, 2, { environment: 'preview' });
    await submit(c, file.id);
    expect((await api().call('GET', `/v1/usage-files/${file.id}`, c.provider.auth)).status).toBe(404);
    expect((await api().call('POST', `/v1/usage-files/${file.id}/accept`, c.provider.auth, {})).status).toBe(404);
    const records = await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}`, c.provider.auth), 200);
    expect(records.items).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.some((m) => m.text.includes(file.id))).toBe(false);
  });
});
