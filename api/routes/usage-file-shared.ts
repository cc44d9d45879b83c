import { z } from '@hono/zod-openapi';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { canSeeFile, type Caller } from '../../domain/access';
import { IllegalTransitionError, NotFoundError } from '../../domain/errors';
import { allowedActions, fileStatuses } from '../../domain/file-states';
import { countRecords, findUsageFile, type UsageFile } from '../../db/queries/usage-files';
import { usageFileWorkflowId } from '../../workflows/shared';
import type { ApiDeps } from '../context';

// What the usage-file routes share: JSON shapes, the visibility check (another party's file is
// "not found") and the call of a workflow Update that maps a refused transition to 409.

export { binary, conflict, ErrorJson, errors, json } from '../openapi';

export const IdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'UF-2026-11-1234-5678' }) });

export const CountsJson = z.object({
  total: z.number().int(), valid: z.number().int(), invalid: z.number().int(), pending: z.number().int(),
  approved: z.number().int(), rejected: z.number().int(), closed: z.number().int(),
});

export const UsageFileJson = z
  .object({
    id: z.string(), name: z.string(), description: z.string(), status: z.enum(fileStatuses), currency: z.string(),
    environment: z.enum(['preview', 'production']), period: z.object({ from: z.string(), to: z.string() }),
    vendorId: z.string(), providerId: z.string(), productId: z.string().nullable(), contractId: z.string().nullable(),
    schema: z.string().nullable(), errorDetail: z.string(), acceptanceNote: z.string(), rejectionNote: z.string(),
    allowedActions: z.array(z.string()), createdAt: z.string(), updatedAt: z.string(),
  })
  .openapi('UsageFile');

export const fileToJson = (f: UsageFile) => ({
  id: f.id, name: f.name, description: f.description, status: f.status, currency: f.currency, environment: f.environment,
  period: { from: f.periodFrom.toISOString(), to: f.periodTo.toISOString() }, vendorId: f.vendorId, providerId: f.providerId,
  productId: f.productId, contractId: f.contractId, schema: f.schema, errorDetail: f.errorDetail,
  acceptanceNote: f.acceptanceNote, rejectionNote: f.rejectionNote, allowedActions: allowedActions(f.status),
  createdAt: f.createdAt.toISOString(), updatedAt: f.updatedAt.toISOString(),
});

export async function fileWithCounts(deps: ApiDeps, id: string) {
  const file = (await findUsageFile(deps.database.db, id))!;
  return { ...fileToJson(file), records: await countRecords(deps.database.db, id) };
}

/** The file when the caller may see it; another party's file is "not found". */
export async function visibleFile(deps: ApiDeps, caller: Caller, id: string): Promise<UsageFile> {
  const file = await findUsageFile(deps.database.db, id);
  if (!file || !canSeeFile(caller, file)) throw new NotFoundError('Usage file', id);
  return file;
}

/** Runs a workflow Update; a transition the workflow refuses becomes IllegalTransitionError (409). */
export async function executeFileUpdate<R, A extends [unknown, ...unknown[]]>(
  temporal: Client, fileId: string, update: import('@temporalio/client').UpdateDefinition<R, A>, action: string, args: A,
): Promise<R> {
  try {
    return await temporal.workflow.getHandle(usageFileWorkflowId(fileId)).executeUpdate(update, { args });
  } catch (err) {
    throw asIllegalTransition(err, action) ?? err;
  }
}

export function asIllegalTransition(err: unknown, action: string): IllegalTransitionError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type !== 'ILLEGAL_TRANSITION') return undefined;
  const details = err.cause.details?.[0] as { currentState: string } | undefined;
  return new IllegalTransitionError(action, details?.currentState ?? 'unknown', err.cause.message);
}

/** Live workflow state through a Query; null when Temporal cannot answer in time. */
export async function queryWorkflow<T>(temporal: Client, fileId: string, query: import('@temporalio/client').QueryDefinition<T>) {
  const handle = temporal.workflow.getHandle(usageFileWorkflowId(fileId));
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000).unref());
  return Promise.race([handle.query(query), timeout]).catch(() => null);
}
