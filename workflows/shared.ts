// Task-queue names and workflow-id builders: workflow ids are business keys, built here only, so a
// double click or a redelivered request finds the workflow that already runs.

export const taskQueues = { main: 'meterflow' } as const;

export const usageFileWorkflowId = (fileId: string) => `usage-file/${fileId}`;

export const whatIfWorkflowId = (runId: string) => `what-if/${runId}`;

export const feedLoadWorkflowId = (loadId: string) => `feed-load/${loadId}`;

export const quarantineReprocessWorkflowId = (requestId: string) => `quarantine-reprocess/${requestId}`;

export const feedCollectionScheduleId = 'feed-collection';

export const billingRunWorkflowId = (runId: string) => `billing-run/${runId}`;

/** The daily billing schedule of an operator; the runs it starts are `billing-run/scheduled-{owner}-{time}`. */
export const billingScheduleId = (ownerPartyId: string) => `billing/${ownerPartyId}`;

/** The relay of wallet mails, one per task queue: deployments sharing a namespace each send their own database's mail. */
export const walletNotificationsScheduleId = (taskQueue: string) => `wallet-notifications/${taskQueue}`;

export const thresholdBillingWorkflowId = (accountId: string) => `threshold-billing/${accountId}`;
