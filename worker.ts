// The worker process: runs the workflows and the activities on the task queue. Scale out by running
// more of these; nothing here assumes it is the only one.
import { pathToFileURL, fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import type { MailDeps } from './activities/review';
import { createDatabase, type Database } from './db/client';
import { assertMigrated } from './db/migrations';
import { loadConfig, type Config } from './lib/config';
import { ensureFeedCollectionSchedule, ensureWalletNotificationSchedule } from './lib/schedules';
import { createMailer } from './lib/mail';
import { connectTemporal } from './lib/temporal';
import { bundleWorkflows } from './lib/workflow-bundle';

export const workflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  database: Database;
  workflowBundlePath?: string;
  /** Mail and signed-link settings of the review mails (default: outbox only). */
  mail?: MailDeps;
}

/** A worker over a prebuilt bundle (tests, images), or over one bundled and checked now. */
export async function buildWorker({ connection, namespace, taskQueue, database, workflowBundlePath, mail }: WorkerDeps) {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle: workflowBundlePath ? { codePath: workflowBundlePath } : await bundleWorkflows(workflowsPath),
    activities: createActivities({ database, mail }),
  });
}

async function main(config: Config) {
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL.toUpperCase() as 'INFO') });
  const database = createDatabase(config.DATABASE_URL);
  await assertMigrated(database.sql);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await buildWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    database,
    workflowBundlePath: config.WORKFLOW_BUNDLE_PATH,
    mail: {
      mailer: createMailer(config.SMTP_URL, config.MAIL_FROM), publicUrl: config.PUBLIC_URL,
      linkSecret: config.LINK_SECRET, linkTtlDays: config.LINK_TTL_DAYS,
    },
  });
  const client = await connectTemporal(config);
  try {
    await ensureWalletNotificationSchedule(client, { intervalSeconds: config.WALLET_NOTIFY_INTERVAL_SECONDS, taskQueue: config.TEMPORAL_TASK_QUEUE });
    if (config.FEED_WATCH_DIR) {
      await ensureFeedCollectionSchedule(client, { directory: config.FEED_WATCH_DIR, intervalSeconds: config.FEED_WATCH_INTERVAL_SECONDS, taskQueue: config.TEMPORAL_TASK_QUEUE });
      console.log(`collecting ${config.FEED_WATCH_DIR} every ${config.FEED_WATCH_INTERVAL_SECONDS} s`);
    }
  } finally {
    await client.connection.close();
  }
  console.log(`worker ready on task queue ${config.TEMPORAL_TASK_QUEUE} at ${config.TEMPORAL_ADDRESS}`);
  try {
    await worker.run(); // Runtime shuts the worker down on SIGINT/SIGTERM
  } finally {
    await connection.close();
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(loadConfig()).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
