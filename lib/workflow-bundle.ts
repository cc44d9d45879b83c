import { builtinModules } from 'node:module';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';

// Bundles the workflow code and refuses a bundle that pulls in what must never run in the workflow
// sandbox: Node built-ins, our I/O layers (activities, db, api, lib, worker) and the packages that
// do I/O. Temporal's own check only looks at built-ins; ours also catches a value import of the
// activities, which is the usual mistake.

const root = fileURLToPath(new URL('..', import.meta.url));
const forbiddenDirs = ['activities', 'db', 'api', 'lib', 'cli', 'scripts'].map((d) => resolve(root, d) + sep);
const forbiddenPackages = ['postgres', 'drizzle-orm', 'hono', '@hono/', '@temporalio/worker', '@temporalio/client', 'exceljs', 'udsv'];
const builtins = new Set(builtinModules);

/** Why `request` (imported from directory `context`) may not be in a workflow bundle, or null. */
export function forbiddenImport(context: string, request: string): string | null {
  const bare = request.startsWith('node:') ? request.slice(5) : request;
  if (builtins.has(bare) || builtins.has(bare.split('/')[0]!)) return `Node built-in '${request}'`;
  if (forbiddenPackages.some((p) => bare === p || bare.startsWith(p.endsWith('/') ? p : `${p}/`))) return `package '${request}'`;
  if (request.startsWith('.')) {
    const target = resolve(context, request);
    if (target === resolve(root, 'worker') || forbiddenDirs.some((d) => target.startsWith(d) || `${target}${sep}` === d)) {
      return `'${request}' (from ${context.slice(root.length) || '.'})`;
    }
  }
  return null;
}

export async function bundleWorkflows(workflowsPath: string, logger?: Logger) {
  const found = new Set<string>();
  const guard = async ({ context, request }: { context?: string; request?: string }) => {
    const why = forbiddenImport(context ?? root, request ?? '');
    if (why) found.add(why);
    return undefined;
  };
  let bundle: Awaited<ReturnType<typeof bundleWorkflowCode>> | undefined;
  try {
    bundle = await bundleWorkflowCode({
      workflowsPath,
      logger,
      webpackConfigHook: (config) => {
        const existing = config.externals === undefined ? [] : Array.isArray(config.externals) ? config.externals : [config.externals];
        return { ...config, externals: [guard, ...existing] };
      },
    });
  } catch (err) {
    if (found.size === 0) throw err;
  }
  if (found.size > 0 || !bundle) {
    throw new Error(
      `Workflow code must not import ${[...found].join(', ')}. Import activities with \`import type\` and keep I/O in activities.`,
    );
  }
  return bundle;
}
