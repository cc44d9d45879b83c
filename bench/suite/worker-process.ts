import { readFileSync } from 'node:fs';
import { startProcess, waitFor, type Proc } from '../../lib/processes';

// The bench's worker runs as `worker.ts` in its own process, as in production: the crash-resume bench
// kills it with SIGKILL half-way through a file, and its peak resident memory (VmHWM) is read from /proc.

export interface WorkerProcess {
  readonly pid: number;
  /** Peak resident set size of the current process, in bytes. */
  peakRssBytes(): number;
  /** SIGKILL (no goodbye: what a crashed machine does), then a fresh process whose peak memory starts again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  let proc: Proc = await launch(env);
  return {
    get pid() { return proc.child.pid!; },
    peakRssBytes() {
      const status = readFileSync(`/proc/${proc.child.pid}/status`, 'utf8');
      const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      if (!kb) throw new Error(`no VmHWM in /proc/${proc.child.pid}/status`);
      return Number(kb) * 1024;
    },
    async restart() {
      await proc.kill('SIGKILL');
      proc = await launch(env);
    },
    async stop() { await proc.kill('SIGTERM'); },
  };
}

async function launch(env: Record<string, string>): Promise<Proc> {
  const proc = startProcess('worker.ts', [], env);
  await waitFor('the bench worker to start', () => proc.output().includes('worker ready'), proc, 120_000);
  return proc;
}
