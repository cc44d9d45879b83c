import { connect, type Socket } from 'node:net';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;
/** What queries take: the database or a transaction on it. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export function createDatabase(url: string, options: { max?: number } = {}): Database {
  // `socket` is a documented option that postgres.js' types leave out.
  const settings = { max: options.max ?? 10, onnotice: () => {}, socket: noDelaySocket };
  const sql = postgres(url, settings);
  return { db: drizzle(sql, { schema }), sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * A connected socket with Nagle's algorithm off. postgres.js writes a COPY's last data and its
 * CopyDone as separate small packets; with Nagle on, the second waits for the server's delayed
 * ACK, and every COPY took ~90 ms more on Linux (measured: 94 ms → 1.7 ms for a small COPY).
 */
function noDelaySocket(options: { host: string[]; port: number[]; path?: string | false }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = options.path ? connect(options.path) : connect(options.port[0] ?? 5432, options.host[0] ?? 'localhost');
    socket.setNoDelay(true);
    socket.once('connect', () => resolve(socket)).once('error', reject);
  });
}
