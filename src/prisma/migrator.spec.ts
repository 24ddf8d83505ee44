import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigrationError, Migrator, MIGRATIONS_DIR, readMigrationFiles } from './migrator';
import { openSqlConnection, SqlConnection, withSqlSession } from './sql-connection';

function writeMigration(dir: string, name: string, sql: string): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'migration.sql'), sql);
}

async function query<T>(conn: SqlConnection, sql: string): Promise<T[]> {
  return withSqlSession(conn, (session) => session.query<T>(sql));
}

describe('Migrator (on PGlite)', () => {
  let dir: string;
  let conn: SqlConnection;

  // One PGlite for the file (starting one takes seconds); each test gets an empty schema.
  beforeAll(async () => {
    conn = await openSqlConnection({ kind: 'pglite', dataDir: null });
  });
  afterAll(() => conn.close());

  beforeEach(async () => {
    await withSqlSession(conn, (session) => session.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;'));
    dir = mkdtempSync(join(tmpdir(), 'berth-migrations-'));
    writeMigration(dir, '20260101000000_first', 'CREATE TABLE "A" (id TEXT PRIMARY KEY);');
    writeMigration(dir, '20260102000000_second', 'CREATE TABLE "B" (id TEXT PRIMARY KEY);\nINSERT INTO "B" VALUES (\'one\');');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies pending migrations once, in folder order, recorded as prisma migrate does', async () => {
    const migrator = new Migrator(conn, dir);
    expect(await migrator.status()).toEqual({ applied: [], pending: ['20260101000000_first', '20260102000000_second'] });
    expect(await migrator.migrate()).toEqual(['20260101000000_first', '20260102000000_second']);
    expect(await migrator.migrate()).toEqual([]);

    const rows = await query<{ migration_name: string; checksum: string; applied_steps_count: number; finished_at: Date }>(
      conn,
      'SELECT migration_name, checksum, applied_steps_count, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const expectedChecksum = createHash('sha256')
      .update(readFileSync(join(dir, '20260101000000_first', 'migration.sql')))
      .digest('hex');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ migration_name: '20260101000000_first', checksum: expectedChecksum, applied_steps_count: 1 });
    expect(rows[0].finished_at).toBeInstanceOf(Date);
    expect(await query(conn, 'SELECT id FROM "B"')).toEqual([{ id: 'one' }]);
    expect(await migrator.status()).toEqual({ applied: ['20260101000000_first', '20260102000000_second'], pending: [] });
  });

  it('applies a migration added later', async () => {
    await new Migrator(conn, dir).migrate();
    writeMigration(dir, '20260103000000_third', 'ALTER TABLE "A" ADD COLUMN note TEXT;');
    expect(await new Migrator(conn, dir).migrate()).toEqual(['20260103000000_third']);
  });

  it('refuses an applied migration whose file was changed', async () => {
    await new Migrator(conn, dir).migrate();
    writeMigration(dir, '20260101000000_first', 'CREATE TABLE "A" (id TEXT PRIMARY KEY, extra TEXT);');
    await expect(new Migrator(conn, dir).migrate()).rejects.toThrow(
      /Migration 20260101000000_first was changed after it was applied/,
    );
  });

  it('refuses when an applied migration is missing from disk', async () => {
    await new Migrator(conn, dir).migrate();
    rmSync(join(dir, '20260102000000_second'), { recursive: true });
    await expect(new Migrator(conn, dir).status()).rejects.toThrow(/20260102000000_second is applied to the database but missing/);
  });

  it('rolls a failing migration back entirely and records nothing for it', async () => {
    writeMigration(dir, '20260103000000_broken', 'CREATE TABLE "C" (id TEXT);\nSELECT * FROM "no_such_table";');
    const error = await new Migrator(conn, dir).migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/20260103000000_broken failed and was rolled back: .*no_such_table/);
    expect(await query(conn, `SELECT to_regclass('"C"') AS c`)).toEqual([{ c: null }]);
    expect(await new Migrator(conn, dir).status()).toEqual({
      applied: ['20260101000000_first', '20260102000000_second'],
      pending: ['20260103000000_broken'],
    });
  });

  it('refuses to go on after a migration that started and never finished', async () => {
    await new Migrator(conn, dir).migrate();
    await query(conn, `UPDATE "_prisma_migrations" SET finished_at = NULL WHERE migration_name = '20260102000000_second'`);
    await expect(new Migrator(conn, dir).migrate()).rejects.toThrow(/started but never finished/);
  });
});

describe('the project migrations', () => {
  it('are in Prisma layout: <timestamp>_<name>/migration.sql', () => {
    const files = readMigrationFiles(MIGRATIONS_DIR);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(file.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
  });
});
