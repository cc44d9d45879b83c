import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { createDatabase } from './client';

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

interface Journal { entries: Array<{ tag: string; when: number }> }

/** Creates the database named in `url` when it does not exist (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const found = await sql`select 1 from pg_database where datname = ${name}`;
    if (found.length === 0) await sql.unsafe(`create database "${name.replace(/"/g, '""')}"`);
  } catch (err) {
    // Another process may have created it in between.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function migrateDatabase(url: string): Promise<void> {
  await ensureDatabase(url);
  const database = createDatabase(url, { max: 1 });
  try {
    await migrate(database.db, { migrationsFolder });
  } finally {
    await database.close();
  }
}

export class NotMigratedError extends Error {}

/** The worker and the API refuse to start against a database that lacks a committed migration. */
export async function assertMigrated(sql: postgres.Sql): Promise<void> {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as Journal;
  const latest = journal.entries.at(-1);
  if (!latest) return;
  let applied: Array<{ created_at: string }> = [];
  try {
    applied = await sql`select created_at from drizzle.__drizzle_migrations`;
  } catch (err) {
    if ((err as { code?: string }).code !== '42P01') throw err; // undefined_table: nothing applied
  }
  const appliedAt = new Set(applied.map((r) => Number(r.created_at)));
  const missing = journal.entries.filter((e) => !appliedAt.has(e.when)).map((e) => e.tag);
  if (missing.length > 0) {
    throw new NotMigratedError(
      `Database is not migrated (missing: ${missing.join(', ')}). Run \`npm run db:migrate\` with the same DATABASE_URL.`,
    );
  }
}
