// Writes the checked workflow bundle to a file (used by the Docker image); the worker then starts
// with WORKFLOW_BUNDLE_PATH and does not bundle at start.
import { writeFileSync } from 'node:fs';
import { bundleWorkflows } from '../lib/workflow-bundle';
import { workflowsPath } from '../worker';

const out = process.argv[2] ?? 'dist/workflow-bundle.js';
const { code } = await bundleWorkflows(workflowsPath);
writeFileSync(out, code);
console.log(`wrote ${out}`);
