import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Runs our own entry points (worker.ts, api/server.ts, cli/index.ts) as real processes, the way an
// operator does: for the main command (scripts/up.ts) and the durability and end-to-end tests.

export const root = fileURLToPath(new URL('..', import.meta.url));

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `env` is laid over this process's environment; a key set to undefined is removed. */
export function startProcess(script: string, args: string[], env: Record<string, string | undefined>): Proc {
  const merged = { ...process.env, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until `predicate` holds (polling), failing with `what` and the process output. */
export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, proc?: Proc, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline || proc?.child.exitCode != null) {
      throw new Error(`timed out waiting for ${what}${proc ? `; process output:\n${proc.output()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runToEnd(script: string, args: string[], env: Record<string, string | undefined>) {
  const proc = startProcess(script, args, env);
  const code = await proc.exited;
  return { code, output: proc.output() };
}
