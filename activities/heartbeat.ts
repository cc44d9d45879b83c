import { Context } from '@temporalio/activity';

/**
 * Heartbeats every second while `fn` runs, for a step that cannot heartbeat itself (one big SQL
 * statement, parsing a whole workbook), so a worker that dies is noticed within the heartbeat timeout.
 */
export async function heartbeating<T>(fn: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), 1_000);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
