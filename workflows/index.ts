// Bundle entry: re-exports only.
export { usageFile } from './usage-file';
