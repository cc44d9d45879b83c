// Bundle entry: re-exports only.
export { usageFile } from './usage-file';
export { whatIf } from './what-if';
export { feedLoad } from './feed-load';
export { quarantineReprocess } from './quarantine-reprocess';
export { feedCollection } from './feed-collection';
export { billingRun } from './billing-run';
export { thresholdBilling } from './threshold-billing';
export { walletNotifications } from './wallet-notifications';
