import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import request from 'supertest';
import { Migrator, readMigrationFiles } from '../src/prisma/migrator';
import { SQL_CONNECTION } from '../src/prisma/prisma.tokens';
import { openSqlConnection, SqlConnection, withSqlSession } from '../src/prisma/sql-connection';
import { bearer, createUser, register } from './support/factories';
import { createTestDatabase, describeOnPostgres, TestDatabase } from './support/postgres';
import { ROOT, startServer } from './support/processes';
import { snapshotSchema } from './support/schema-snapshot';
import { startTestApp, TestApp } from './support/test-app';
import { CONTAINER_ROW } from '../src/containers/container-row';
import { QUOTA_LOCK_NAMESPACE } from '../src/containers/quota.service';

async function migratedSnapshot(conn: SqlConnection) {
  await new Migrator(conn).migrate();
  return withSqlSession(conn, snapshotSchema);
}

/** Database objects the migrations add by hand because schema.prisma cannot express them. */
const HAND_WRITTEN = {
  triggers: ['AuditEvent_no_truncate', 'AuditEvent_no_update_delete'],
  functions: ['audit_event_append_only'],
  constraints: [
    {
      table_name: '"ContainerInstance"',
      conname: 'ContainerInstance_customerId_fkey',
      definition: 'FOREIGN KEY ("customerId") REFERENCES "User"(id) ON UPDATE CASCADE ON DELETE RESTRICT NOT VALID',
      convalidated: false,
    },
  ],
};
const HAND_WRITTEN_CONSTRAINTS = new Set(HAND_WRITTEN.constraints.map((c) => c.conname));

/**
 * The container routes read and write rows on the driver (CONTAINER_ROW): a row must read exactly as
 * Prisma reads it, value for value, and a constraint error from the driver must still be the API's 409.
 */
async function expectDriverRowsEqualPrisma(t: TestApp): Promise<void> {
  const { user } = await createUser(t.prisma);
  const common = { customerId: user.id, createdById: user.id, image: 'busybox', memoryMb: 64, cpus: 0.25 };
  await t.prisma.containerInstance.create({
    data: { ...common, name: 'full', activeName: 'full', command: ['sh', '-c', 'echo "hi"'], env: { A: '1', NESTED: 'x=y' }, status: 'RUNNING', engineId: 'e1', lastError: 'earlier trouble' },
  });
  await t.prisma.containerInstance.create({
    data: { ...common, name: 'gone', command: [], status: 'DELETED', deletedAt: new Date('2026-01-02T03:04:05.678Z') },
  });
  const viaPrisma = await t.prisma.containerInstance.findMany({ where: { customerId: user.id }, orderBy: { name: 'asc' } });
  const viaDriver = await t.prisma.directQuery(`SELECT ${CONTAINER_ROW} FROM "ContainerInstance" WHERE "customerId" = $1 ORDER BY "name"`, [user.id]);
  expect(viaPrisma).toHaveLength(2);
  expect(viaDriver).toEqual(viaPrisma);

  // Container creation writes on the driver: a unique violation raised there is still the API's 409.
  const owner = await register(t.http);
  await t.prisma.containerInstance.create({
    data: { ...common, customerId: owner.user.id, createdById: owner.user.id, name: 'taken', activeName: 'taken', command: [] },
  });
  const conflict = await request(t.http).post('/api/containers').set(bearer(owner.accessToken)).send({ name: 'taken', image: 'localhost/busybox:latest' });
  expect(conflict.status).toBe(409);
  expect(conflict.body).toMatchObject({ code: 'NAME_TAKEN' });
}

describe('schema', () => {
  it('migrations and schema.prisma describe the same schema (no drift)', async () => {
    // What Prisma would create from schema.prisma alone, next to what our migrations create.
    const fromSchema = execFileSync(
      join(ROOT, 'node_modules', '.bin', 'prisma'),
      ['migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const expected = await openSqlConnection({ kind: 'pglite', dataDir: null });
    const actual = await openSqlConnection({ kind: 'pglite', dataDir: null });
    try {
      await withSqlSession(expected, (session) => session.exec(fromSchema));
      const { triggers, functions, constraints, ...modelled } = await migratedSnapshot(actual);
      const { triggers: noTriggers, functions: noFunctions, ...fromPrisma } = await withSqlSession(expected, snapshotSchema);
      const handWritten = (c: unknown) => HAND_WRITTEN_CONSTRAINTS.has((c as { conname: string }).conname);
      expect({ ...modelled, constraints: constraints.filter((c) => !handWritten(c)) }).toEqual(fromPrisma);
      expect(constraints.filter(handWritten)).toEqual(HAND_WRITTEN.constraints);
      // What schema.prisma cannot say is written by hand in the migrations, and only this:
      expect([noTriggers, noFunctions]).toEqual([[], []]);
      expect(triggers.map((t) => (t as { tgname: string }).tgname)).toEqual(HAND_WRITTEN.triggers);
      expect(functions.map((f) => (f as { proname: string }).proname)).toEqual(HAND_WRITTEN.functions);
    } finally {
      await Promise.all([expected.close(), actual.close()]);
    }
  });
});

describe('embedded database (PGlite)', () => {
  it('stores data and relies only on the migrations for its tables', async () => {
    const t = await startTestApp();
    try {
      const { user } = await createUser(t.prisma);
      expect(user.id).toMatch(/^c[a-z0-9]{24}$/);
      expect(user.createdAt).toBeInstanceOf(Date);
      expect(Math.abs(user.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
      const statuses = await withSqlSession(t.app.get(SQL_CONNECTION), (s) =>
        s.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations"'),
      );
      expect(statuses.map((row) => row.migration_name)).toEqual(readMigrationFiles().map((file) => file.name));
    } finally {
      await t.close();
    }
  });

  it('reads container rows on the driver exactly as Prisma does; driver constraint errors are still 409', async () => {
    const t = await startTestApp();
    try {
      await expectDriverRowsEqualPrisma(t);
    } finally {
      await t.close();
    }
  });
});

describeOnPostgres('PostgreSQL', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  it('gets the same schema from the migrations as PGlite does', async () => {
    const postgres = await openSqlConnection({ kind: 'postgres', url: db.url });
    const pglite = await openSqlConnection({ kind: 'pglite', dataDir: null });
    try {
      expect(await migratedSnapshot(postgres)).toEqual(await migratedSnapshot(pglite));
    } finally {
      await Promise.all([postgres.close(), pglite.close()]);
    }
  });

  it('serves the app on PostgreSQL through the pg adapter', async () => {
    const t = await startTestApp({ DATABASE_URL: db.url });
    try {
      const ready = await request(t.http).get('/health/ready').expect(200);
      expect(ready.body.info.database).toMatchObject({ status: 'up', kind: 'postgres' });
      const { user } = await createUser(t.prisma);
      expect(await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toEqual(user);
      await expectDriverRowsEqualPrisma(t);
    } finally {
      await t.close();
    }
  });

  it('a create that waits too long for the customer\'s quota lock is 503 with Retry-After, and writes nothing', async () => {
    const t = await startTestApp({ DATABASE_URL: db.url });
    const holder = new Client({ connectionString: db.url }); // one session for the whole test (a pool would close it when idle)
    await holder.connect();
    try {
      const owner = await register(t.http);
      // Another session holds this customer's quota lock (as a stuck create in another process would).
      await holder.query('SELECT pg_advisory_lock($1::int, hashtext($2))', [QUOTA_LOCK_NAMESPACE, owner.user.id]);
      const started = Date.now();
      const res = await request(t.http).post('/api/containers').set(bearer(owner.accessToken)).send({ name: 'waits', image: 'localhost/busybox:latest' });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(res.headers['retry-after']).toBe('1');
      expect(Date.now() - started).toBeGreaterThanOrEqual(9_000); // it waited for lock_timeout, then gave up
      expect(await t.prisma.containerInstance.count({ where: { customerId: owner.user.id } })).toBe(0);
    } finally {
      await holder.end();
      await t.close();
    }
  }, 30_000);

  it('applies each migration exactly once when several servers start at the same moment', async () => {
    const servers = await Promise.all([1, 2, 3].map(() => startServer({ DATABASE_URL: db.url })));
    try {
      for (const server of servers) expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
      const pool = new Pool({ connectionString: db.url });
      try {
        const { rows } = await pool.query(
          'SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY 1 ORDER BY 1',
        );
        expect(rows).toEqual(readMigrationFiles().map((file) => ({ migration_name: file.name, n: 1 })));
      } finally {
        await pool.end();
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  });
});
