// Lint: floating promises are errors everywhere; workflow code may not import Node built-ins or any
// of our I/O layers by value (type imports of activities are how workflows see them).
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'dist/', 'coverage/', 'db/migrations/', 'test/fixtures/bad-workflows/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='parseFloat']", message: 'No floats: money is decimal.js (domain/money.ts).' }],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code runs in a deterministic sandbox: no Node built-ins.' })),
        patterns: [
          { group: ['**/activities', '**/activities/**'], allowTypeImports: true, message: 'Import activities with `import type` only.' },
          { group: ['**/db/**', '**/db', '**/api/**', '**/lib/**', '**/worker'], message: 'Workflows do no I/O: use an activity.' },
          { group: ['postgres', 'drizzle-orm', 'drizzle-orm/**', 'hono', '@hono/**', '@temporalio/client', '@temporalio/worker'], message: 'Not in workflow code.' },
        ],
      }],
      'no-console': 'error',
    },
  },
);
