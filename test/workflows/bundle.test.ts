import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { bundleWorkflows, forbiddenImport } from '../../lib/workflow-bundle';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/bad-workflows/${name}.ts`, import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const noop = () => {};
const silent = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

describe('workflow bundle', () => {
  it('bundles workflows/index.ts without Postgres, Drizzle, Hono or activity code', () => {
    const code = readFileSync(inject('workflowBundlePath'), 'utf8'); // built and checked once per run by global-setup
    expect(code).toContain('usageFile');
    for (const forbidden of ['node_modules/postgres/', 'node_modules/drizzle-orm/', 'node_modules/hono/', 'usageFileActivities']) {
      expect(code).not.toContain(forbidden);
    }
  });

  it.each([
    ['a Node built-in', 'imports-node-builtin', "Node built-in 'node:fs'"],
    ['a value import of the activities', 'imports-activities', "'../../../activities'"],
  ])('refuses a workflow that imports %s', async (_what, name, message) => {
    await expect(bundleWorkflows(fixture(name), silent)).rejects.toThrow(message);
  }, 60_000);

  it.each([
    [`${root}workflows`, '../domain/file-states', null],
    [`${root}workflows`, '@temporalio/workflow', null],
    [`${root}workflows`, '../activities', "'../activities' (from workflows)"],
    [`${root}workflows`, '../db/schema', "'../db/schema' (from workflows)"],
    [`${root}workflows`, 'crypto', "Node built-in 'crypto'"],
    [`${root}workflows`, 'postgres', "package 'postgres'"],
    [`${root}workflows`, 'drizzle-orm/pg-core', "package 'drizzle-orm/pg-core'"],
  ])('judges an import from %s of %s', (context, request, expected) => {
    expect(forbiddenImport(context, request)).toBe(expected);
  });
});
