import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqlConnection, SqlSession, withSqlSession } from './sql-connection';

/** prisma/migrations, found from the source tree and from the build (dist/prisma/ -> ../../prisma). */
export const MIGRATIONS_DIR = resolve(__dirname, '..', '..', 'prisma', 'migrations');

/** Any fixed 64-bit number; every berth process agrees on it, so only one migrates at a time. */
const MIGRATION_LOCK_KEY = 72_617_002_001;

export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 hex of the file's bytes: the value `prisma migrate` writes and compares. */
  checksum: string;
}

export interface AppliedMigration {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Prisma's own bookkeeping table, created exactly as `prisma migrate deploy` creates it. */
const CREATE_PRISMA_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export function readMigrationFiles(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  if (!existsSync(dir)) throw new MigrationError(`Migrations folder not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    });
}

/**
 * Applies pending migrations in folder order, each exactly once, each in its own transaction,
 * recording them in `_prisma_migrations` the way `prisma migrate deploy` does (so Prisma's own
 * tools agree with us on machines that have its native engine). A session-level advisory lock
 * makes concurrent starts wait for each other instead of applying a migration twice.
 */
export class Migrator {
  constructor(
    private readonly conn: SqlConnection,
    private readonly dir: string = MIGRATIONS_DIR,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  async migrate(): Promise<string[]> {
    const files = readMigrationFiles(this.dir);
    return withSqlSession(this.conn, async (session) => {
      await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        await session.exec(CREATE_PRISMA_MIGRATIONS);
        const applied = await this.readApplied(session);
        const pending = this.plan(files, applied);
        for (const migration of pending) await this.apply(session, migration);
        return pending.map((migration) => migration.name);
      } finally {
        await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    });
  }

  async status(): Promise<MigrationStatus> {
    const files = readMigrationFiles(this.dir);
    return withSqlSession(this.conn, async (session) => {
      const exists = await session.query<{ present: boolean }>(
        `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`,
      );
      const applied = exists[0]?.present ? await this.readApplied(session) : [];
      const pending = this.plan(files, applied);
      return { applied: applied.map((row) => row.migration_name), pending: pending.map((m) => m.name) };
    });
  }

  private async readApplied(session: SqlSession): Promise<AppliedMigration[]> {
    return session.query<AppliedMigration>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at
         FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name`,
    );
  }

  /** Refuses to go on when history and files disagree; returns what is left to apply. */
  private plan(files: MigrationFile[], applied: AppliedMigration[]): MigrationFile[] {
    const byName = new Map(files.map((file) => [file.name, file]));
    for (const row of applied) {
      if (row.finished_at === null) {
        throw new MigrationError(
          `Migration ${row.migration_name} started but never finished. Inspect the database, then mark it ` +
            `rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${row.migration_name}') and retry.`,
        );
      }
      const file = byName.get(row.migration_name);
      if (!file) {
        throw new MigrationError(
          `Migration ${row.migration_name} is applied to the database but missing from ${this.dir}. ` +
            'Restore the folder; applied migrations are never removed.',
        );
      }
      if (file.checksum !== row.checksum) {
        throw new MigrationError(
          `Migration ${row.migration_name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… in the database, ` +
            `${file.checksum.slice(0, 12)}… on disk). Revert the edit and put the change in a new migration.`,
        );
      }
    }
    const done = new Set(applied.map((row) => row.migration_name));
    return files.filter((file) => !done.has(file.name));
  }

  private async apply(session: SqlSession, migration: MigrationFile): Promise<void> {
    this.log(`Applying migration ${migration.name}`);
    const id = randomUUID();
    await session.exec('BEGIN');
    try {
      await session.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), 0)`,
        [id, migration.checksum, migration.name],
      );
      await session.exec(migration.sql);
      await session.query(
        `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
        [id],
      );
      await session.exec('COMMIT');
    } catch (error) {
      await session.exec('ROLLBACK');
      throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`);
    }
  }
}
