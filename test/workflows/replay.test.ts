import { readdirSync, readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { root } from '../../lib/processes';

// Every recorded history replays on today's workflow code: a change that would break workflows
// already running (STYLE rule 18: such changes go behind patched()) fails here.
const dir = `${root}test/workflows/histories`;
const files = readdirSync(dir).filter((f) => f.endsWith('.binpb'));

describe('recorded workflow histories', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(`${dir}/${file}`));
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, file.replace(/\.binpb$/, ''));
  });
});
