import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { root } from '../../lib/processes';

// The lint rules that keep workflow code deterministic, proven on code that breaks them.
describe('lint rules for workflow code', () => {
  it('flags Node built-ins, value imports of activities and floating promises; allows type imports', async () => {
    const code = [
      "import { readFileSync } from 'node:fs';",
      "import { createActivities } from '../activities';",
      "import type { Activities } from '../activities';",
      "import { findUsageFile } from '../db/queries/usage-files';",
      'async function later() { return 1; }',
      'export function run(a?: Activities) { later(); return [readFileSync, createActivities, findUsageFile, a]; }',
    ].join('\n');
    const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: `${root}workflows/usage-file.ts` });
    const found = result!.messages.map((m) => `${m.ruleId} ${m.line}`);
    expect(found.sort()).toEqual([
      '@typescript-eslint/no-floating-promises 6',
      'no-restricted-imports 1',
      'no-restricted-imports 2',
      'no-restricted-imports 4',
    ]);
  }, 60_000);
});
