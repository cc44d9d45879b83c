// Bundle entry: re-exports only.
export { usageFile } from './usage-file';
export { whatIf } from './what-if';
export { billingRun } from './billing-run';
export { thresholdBilling } from './threshold-billing';
