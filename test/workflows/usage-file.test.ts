import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { insertUsageFile, listUsageFileEvents, findUsageFile } from '../../db/queries/usage-files';
import { usageFileWorkflowId } from '../../workflows/shared';
import { deleteUpdate, stateQuery, submitUpdate, usageFile } from '../../workflows/usage-file';
import { aMarketplace } from '../fixtures/parties';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration();

async function startFile() {
  const m = await aMarketplace(ctx.database.db);
  const fileId = `UF-TEST-${randomUUID()}`;
  await insertUsageFile(ctx.database.db, {
    id: fileId, vendorId: m.vendor.party.id, providerId: m.provider.party.id, name: 'wf test', currency: 'EUR',
    environment: 'production', periodFrom: new Date('2024-03-01T00:00:00Z'), periodTo: new Date('2024-03-31T00:00:00Z'),
  });
  const handle = await ctx.temporal.workflow.start(usageFile, {
    taskQueue: ctx.taskQueue, workflowId: usageFileWorkflowId(fileId), args: [{ fileId, status: 'draft', seq: 0 }],
  });
  return { m, fileId, handle, actor: { partyId: m.vendor.party.id, keyId: m.vendor.keyId } };
}

describe('usageFile workflow', () => {
  it('refuses an illegal Update in its validator: nothing is recorded and the state stays', async () => {
    const { handle, fileId, actor } = await startFile();
    const error = await handle.executeUpdate(submitUpdate, { args: [{ actor }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('ILLEGAL_TRANSITION');
    expect(cause.details).toEqual([{ action: 'submit', currentState: 'draft' }]);
    expect(await handle.query(stateQuery)).toEqual({ fileId, status: 'draft', seq: 0 });
    expect(await listUsageFileEvents(ctx.database.db, fileId)).toEqual([]);
    // A rejected Update leaves no trace in the history.
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
  });

  it('records a legal transition once and completes on a terminal state', async () => {
    const { handle, fileId, actor } = await startFile();
    const state = await handle.executeUpdate(deleteUpdate, { args: [{ actor, note: 'not needed' }] });
    expect(state).toEqual({ fileId, status: 'deleted', seq: 1 });
    expect(await handle.result()).toEqual({ fileId, status: 'deleted', seq: 1 });
    expect((await findUsageFile(ctx.database.db, fileId))?.status).toBe('deleted');
    const events = await listUsageFileEvents(ctx.database.db, fileId);
    expect(events).toMatchObject([{ seq: 1, action: 'delete', fromStatus: 'draft', toStatus: 'deleted', note: 'not needed', actorPartyId: actor.partyId }]);
  });

  it('lets exactly one of two concurrent deletes through', async () => {
    const { handle, fileId, actor } = await startFile();
    const results = await Promise.allSettled([
      handle.executeUpdate(deleteUpdate, { args: [{ actor }] }),
      handle.executeUpdate(deleteUpdate, { args: [{ actor }] }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(((rejected.reason as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('ILLEGAL_TRANSITION');
    expect(await listUsageFileEvents(ctx.database.db, fileId)).toHaveLength(1);
  });
});
