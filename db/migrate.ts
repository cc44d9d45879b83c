// `npm run db:migrate`: creates the database if needed and applies every committed migration.
import { loadConfig } from '../lib/config';
import { migrateDatabase } from './migrations';

const config = loadConfig();
await migrateDatabase(config.DATABASE_URL);
console.log(`migrated ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
