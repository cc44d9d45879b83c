import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { findUsageFile, insertUsageFile } from '../../db/queries/usage-files';
import { usageFileWorkflowId } from '../../workflows/shared';
import { deleteUpdate, stateQuery, usageFile } from '../../workflows/usage-file';
import { aMarketplace } from '../fixtures/parties';
import { useIntegration } from '../helpers/integration';
import { startProcess, waitFor } from '../../lib/processes';

const ctx = useIntegration({ worker: false });

describe('durability on the real server', () => {
  it('a workflow waiting for an Update survives its worker being killed and completes on a new worker', async () => {
    const workerEnv = {
      DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: ctx.taskQueue, WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'), LOG_LEVEL: 'warn',
    };
    const m = await aMarketplace(ctx.database.db);
    const fileId = `UF-TEST-${randomUUID()}`;
    await insertUsageFile(ctx.database.db, {
      id: fileId, vendorId: m.vendor.party.id, providerId: m.provider.party.id, name: 'durable', currency: 'EUR',
      environment: 'production', periodFrom: new Date('2024-03-01T00:00:00Z'), periodTo: new Date('2024-03-31T00:00:00Z'),
    });

    const first = startProcess('worker.ts', [], workerEnv);
    await waitFor('the first worker', () => first.output().includes('worker ready'), first);
    const handle = await ctx.temporal.workflow.start(usageFile, {
      taskQueue: ctx.taskQueue, workflowId: usageFileWorkflowId(fileId), args: [{ fileId, status: 'draft', seq: 0 }],
    });
    expect(await handle.query(stateQuery)).toEqual({ fileId, status: 'draft', seq: 0 });
    await first.kill('SIGKILL');

    // With no worker alive the Update cannot be validated yet: it waits on the server.
    let settled = false;
    const update = handle.executeUpdate(deleteUpdate, { args: [{ actor: { partyId: m.vendor.party.id, keyId: m.vendor.keyId } }] });
    void update.finally(() => (settled = true)).catch(() => {});
    await new Promise((r) => setTimeout(r, 1_500));
    expect(settled).toBe(false);

    const second = startProcess('worker.ts', [], workerEnv);
    try {
      expect(await update).toEqual({ fileId, status: 'deleted', seq: 1 });
      expect(await handle.result()).toEqual({ fileId, status: 'deleted', seq: 1 });
      expect((await findUsageFile(ctx.database.db, fileId))?.status).toBe('deleted');
      const identities = new Set(
        (await handle.fetchHistory()).events!.flatMap((e) => e.workflowTaskStartedEventAttributes?.identity ?? []),
      );
      expect([...identities].map((i) => i.split('@')[0])).toEqual(
        expect.arrayContaining([String(first.child.pid), String(second.child.pid)]),
      );
    } finally {
      await second.kill();
    }
  });
});
