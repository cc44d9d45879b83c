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

/**
 * Kills the worker (SIGKILL) `kills` times at seeded random moments 0.3-2.5 s apart, starting a new
 * one each time (left in `holder.worker`); returns the moments in ms.
 */
/** Kills and restarts the worker `kills` times, each after a seeded pause of `minMs` + up to `spreadMs`. */
export async function killRepeatedly(holder: { worker: Proc }, taskQueue: string, random: () => number, kills: number, { minMs = 300, spreadMs = 2_200 } = {}): Promise<number[]> {
  const moments: number[] = [];
  for (let kill = 0; kill < kills; kill++) {
    const ms = Math.round(minMs + random() * spreadMs);
    moments.push(ms);
    await new Promise((r) => setTimeout(r, ms));
    await holder.worker.kill('SIGKILL');
    holder.worker = await startWorkerProcess(taskQueue);
  }
  return moments;
}
