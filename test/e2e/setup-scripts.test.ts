import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../../lib/processes';

// scripts/lib.sh: how the README's commands find or build the Temporal CLI.
const ensureCli = (env: Record<string, string>) =>
  spawnSync('bash', ['-c', `source scripts/lib.sh && ensure_temporal_cli`], {
    cwd: root,
    env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    encoding: 'utf8',
  });

describe('ensure_temporal_cli', () => {
  it('uses TEMPORAL_CLI when given', () => {
    const run = ensureCli({ TEMPORAL_CLI: '/bin/true' });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('/bin/true');
  });

  it('says what to install when there is no CLI and no Go', () => {
    const cache = mkdtempSync(join(tmpdir(), 'meterflow-cache-'));
    try {
      const run = ensureCli({ METERFLOW_CACHE_DIR: cache, METERFLOW_GO: '/nonexistent/go' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('Go is needed once to build the Temporal CLI v1.5.1: install Go 1.25 or later');
      expect(run.stderr).toContain('TEMPORAL_CLI=');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('reuses the CLI already built into the cache without building again', () => {
    const cache = mkdtempSync(join(tmpdir(), 'meterflow-cache-'));
    try {
      const bin = join(cache, 'temporal-cli', 'v1.5.1');
      spawnSync('mkdir', ['-p', bin]);
      spawnSync('cp', ['/bin/true', join(bin, 'temporal')]);
      const run = ensureCli({ METERFLOW_CACHE_DIR: cache, METERFLOW_GO: '/nonexistent/go' });
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toBe(join(bin, 'temporal'));
      expect(run.stderr).not.toContain('building');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

// No Docker engine runs here, so the deployment file is checked for syntax only, where a Compose
// CLI is installed (`docker compose config` needs no engine).
const compose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
describe('docker-compose.yml', () => {
  it.skipIf(compose.status !== 0)('is accepted by `docker compose config`', () => {
    const run = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '--services'], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').sort()).toEqual([
      'meterflow-api', 'meterflow-migrate', 'meterflow-worker', 'postgres', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui',
    ]);
  });
});
