import { describe, expect, it } from 'vitest';
import { fileActions, type FileStatus } from '../../domain/file-states';
import { listUsageFileEvents } from '../../db/queries/usage-files';
import { aCatalog, aUsageRow, usageCsv, type Catalog } from '../fixtures/catalog';
import { apiClient } from '../fixtures/api';
import { useIntegration } from '../helpers/integration';

// Every person's action in every state a file can be in, through the API on the real server: the
// actions SPEC §1.3 allows are offered in `allowedActions`; every other one answers 409 with the
// current state and changes nothing (no event, same status, same records).

const ctx = useIntegration();
const api = () => apiClient(ctx.app);
const actions = ['upload', 'submit', 'accept', 'reject', 'delete'] as const;

async function fileIn(c: Catalog, status: FileStatus): Promise<string> {
  const { id } = await api().createFile(c);
  const post = (action: string, auth: Record<string, string>, body: unknown = {}) => api().call('POST', `/v1/usage-files/${id}/${action}`, auth, body);
  if (status === 'draft') return id;
  if (status === 'deleted') { await post('delete', c.vendor.auth); return id; }
  if (status === 'invalid') { await api().upload(c, id, usageCsv([aUsageRow(c, 1, { quantity: 'x' })]), 'invalid'); return id; }
  await api().upload(c, id, usageCsv([aUsageRow(c, 1), aUsageRow(c, 2)]), 'ready');
  if (status === 'ready') return id;
  await post('submit', c.vendor.auth);
  if (status === 'pending') return id;
  if (status === 'rejected') { await post('reject', c.provider.auth, { note: 'no' }); return id; }
  await post('accept', c.provider.auth);
  if (status === 'accepted') return id;
  const records = await api().json(await api().call('GET', `/v1/usage-records?fileId=${id}`, c.provider.auth), 200);
  await post('records/close', c.provider.auth, { records: records.items.map((r: { id: string }) => ({ id: r.id, externalBillingId: 'INV-1' })) });
  await api().waitForStatus(c, id, 'closed');
  return id;
}

const states: FileStatus[] = ['draft', 'invalid', 'ready', 'pending', 'rejected', 'accepted', 'closed', 'deleted'];

describe('the file state machine through the API', () => {
  it.each(states)('in %s: allowed actions are offered, every other action is 409 and changes nothing', async (status) => {
    const c = await aCatalog(ctx.database.db);
    const id = await fileIn(c, status);
    const before = await api().waitForStatus(c, id, status);
    const allowed = actions.filter((a) => (fileActions[a].from as readonly string[]).includes(status));
    expect(before.allowedActions).toEqual(expect.arrayContaining(allowed));
    const events = await listUsageFileEvents(ctx.database.db, id);
    for (const action of actions.filter((a) => !allowed.includes(a))) {
      const auth = fileActions[action].by === 'vendor' ? c.vendor.auth : c.provider.auth;
      const res = action === 'upload'
        ? await api().send(`/v1/usage-files/${id}/upload`, auth, usageCsv([aUsageRow(c, 9)]))
        : await api().call('POST', `/v1/usage-files/${id}/${action}`, auth, action === 'reject' ? { note: 'n' } : {});
      expect(res.status, `${action} in ${status}`).toBe(409);
      expect((await res.json() as { error: unknown }).error).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: status, action });
    }
    if (status !== 'accepted') {
      const close = await api().call('POST', `/v1/usage-files/${id}/records/close`, c.provider.auth, { records: [{ id: 'UR-2024-01-0000-0000-2', externalBillingId: 'X' }] });
      expect(close.status, `close records in ${status}`).toBe(409);
    }
    const after = await api().waitForStatus(c, id, status);
    expect(after.records).toEqual(before.records);
    expect(await listUsageFileEvents(ctx.database.db, id)).toEqual(events);
  });
});
