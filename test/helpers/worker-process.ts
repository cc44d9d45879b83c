import { inject } from 'vitest';
import { startProcess, waitFor, type Proc } from '../../lib/processes';

/** Starts worker.ts as a process of its own on `taskQueue` (crash tests kill and restart it). */
export async function startWorkerProcess(taskQueue: string): Promise<Proc> {
  const worker = startProcess('worker.ts', [], {
    DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'), LOG_LEVEL: 'error',
  });
  await waitFor('a worker', () => worker.output().includes('worker ready'), worker);
  return worker;
}
