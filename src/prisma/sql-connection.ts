import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';
import type { DatabaseTarget } from '../config/app-config';

/**
 * The raw database underneath Prisma: one PGlite instance (which must be shared, it is the
 * database) or one pg Pool. The migrator and the health check use it directly; PrismaService
 * builds its driver adapter on top of it.
 */
export type SqlConnection = PgliteConnection | PostgresConnection;

export interface PgliteConnection {
  kind: 'pglite';
  pglite: PGlite;
  close(): Promise<void>;
}

export interface PostgresConnection {
  kind: 'postgres';
  pool: Pool;
  close(): Promise<void>;
}

export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
}

/** Runs SQL on one session: several statements in `exec`, parameters in `query`. */
export interface SqlSession {
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** Closing twice (e.g. a health probe's failure path, then shutdown) must be harmless. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

export async function openSqlConnection(target: DatabaseTarget): Promise<SqlConnection> {
  if (target.kind === 'postgres') {
    const pool = new Pool({ connectionString: target.url, max: 10 });
    // Idle clients can be cut by the server (restart, failover); without a listener pg crashes the process.
    pool.on('error', () => undefined);
    return { kind: 'postgres', pool, close: once(() => pool.end()) };
  }
  if (!target.dataDir) {
    const pglite = await PGlite.create();
    return { kind: 'pglite', pglite, close: once(() => pglite.close()) };
  }
  mkdirSync(target.dataDir, { recursive: true });
  const releaseLock = lockDataDir(target.dataDir);
  try {
    const pglite = await PGlite.create(target.dataDir);
    return {
      kind: 'pglite',
      pglite,
      close: once(async () => {
        await pglite.close();
        releaseLock();
      }),
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/**
 * PGlite is PostgreSQL inside this process: a second process on the same folder would corrupt
 * it. A pid file keeps that from happening; several processes need PostgreSQL.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, 'berth.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8'));
      if (isAlive(owner) && owner !== process.pid) {
        throw new DatabaseInUseError(
          `The embedded database in ${dataDir} is in use by process ${owner}. ` +
            'PGlite serves one process; run several berth processes on PostgreSQL (DATABASE_URL=postgresql://...).',
        );
      }
      rmSync(lockPath, { force: true }); // left behind by a process that died
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Lends one session for `work`. On PostgreSQL this is one pooled client, so session-level
 * state such as advisory locks stays on it; PGlite has a single session anyway.
 */
export async function withSqlSession<T>(conn: SqlConnection, work: (session: SqlSession) => Promise<T>): Promise<T> {
  if (conn.kind === 'pglite') {
    const { pglite } = conn;
    return work({
      exec: async (sql) => void (await pglite.exec(sql)),
      query: async <R>(sql: string, params?: unknown[]) => (await pglite.query<R>(sql, params)).rows,
    });
  }
  const client = await conn.pool.connect();
  try {
    return await work({
      exec: async (sql) => void (await client.query(sql)),
      query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
    });
  } finally {
    client.release();
  }
}
