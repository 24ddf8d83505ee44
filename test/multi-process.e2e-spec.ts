import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, describeOnPostgres, NO_POSTGRES, POSTGRES_URL, TestDatabase } from './support/postgres';
import { describeIf, itIf } from './support/describe-if';
import { ServerProcess, startServer } from './support/processes';
import { DOCKER_HOST, LONG_RUNNING, NO_ENGINE, TEST_IMAGE } from './support/engine';
import { newRegistration } from './support/factories';
import { startTestApp } from './support/test-app';
import { AuditService } from '../src/audit/audit.service';
import { Client } from 'pg';
import { SocketProxy } from './support/socket-proxy';

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function post(server: ServerProcess, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describeOnPostgres('two berth processes on one PostgreSQL (in different time zones)', () => {
  let db: TestDatabase;
  let servers: ServerProcess[];
  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      JWT_ACCESS_SECRET: 'shared-secret-for-both-processes-0123456789',
      LOGIN_MAX_FAILURES_PER_LOGIN: '3',
      QUOTA_MAX_CONTAINERS: '5',
      CONTAINER_IMAGES: TEST_IMAGE,
      RECONCILE_INTERVAL_SECONDS: '0',
      ...(DOCKER_HOST ? { DOCKER_HOST } : {}),
    };
    // Different local time zones: every timestamp must still be written and read as the same instant
    // (audit hashes cover `at` to the millisecond; login throttle windows compare times).
    servers = await Promise.all([startServer({ ...env, TZ: 'America/New_York' }), startServer({ ...env, TZ: 'Asia/Tokyo' })]);
  });
  afterAll(async () => {
    await Promise.all((servers ?? []).map((server) => server.stop()));
    await db?.drop();
  });

  it('applied every migration exactly once although both started together on an empty database', async () => {
    const rows = await query<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
      db.url,
      `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations`,
    );
    const names = readdirSync(join(__dirname, '..', 'prisma', 'migrations')).filter((name) => /^\d+_/.test(name)).sort();
    expect(rows.map((r) => r.migration_name).sort()).toEqual(names);
    expect(rows.every((r) => r.finished && !r.rolled_back)).toBe(true);
  });

  it('50 concurrent registrations spread over both get 50 distinct, consecutive public ids', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(servers[i % 2], '/api/auth/register', newRegistration())),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const numbers = results.map((r) => Number(r.body.user.publicCustomerId.slice(1))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(results.map((r) => r.body.user.publicCustomerId)).toContain('u001');
  });

  it('keeps one verifiable audit chain with appends from both processes', async () => {
    // A third, in-process app on the same database reads the chain the two servers wrote.
    const reader = await startTestApp({ DATABASE_URL: db.url });
    try {
      const events = await reader.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
      expect(events.filter((e) => e.action === 'user.register').length).toBeGreaterThanOrEqual(50);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(await reader.app.get(AuditService).verify()).toEqual({ ok: true, checked: events.length, firstBadEventId: null });
    } finally {
      await reader.close();
    }
  });

  it('a token from one process works on the other, and logout on one ends it on both', async () => {
    const reg = await post(servers[0], '/api/auth/register', newRegistration());
    const headers = { authorization: `Bearer ${reg.body.accessToken}` };
    expect((await fetch(`${servers[1].url}/api/auth/me`, { headers })).status).toBe(200);
    expect((await fetch(`${servers[1].url}/api/auth/logout`, { method: 'POST', headers })).status).toBe(204);
    expect((await fetch(`${servers[0].url}/api/auth/me`, { headers })).status).toBe(401);
  });

  // Needs the engine as well: containers are really created.
  itIf(Boolean(DOCKER_HOST), NO_ENGINE)('holds a quota of 5 against 20 parallel creates spread over both processes', async () => {
    const owner = await post(servers[0], '/api/auth/register', newRegistration());
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${owner.body.accessToken}` };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${servers[i % 2].url}/api/containers`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: `race-${i}`, image: TEST_IMAGE, command: LONG_RUNNING, memoryMb: 16, cpus: 0.05 }),
        }).then((res) => res.status),
      ),
    );
    expect(results.filter((status) => status === 201)).toHaveLength(5);
    expect(results.filter((status) => status === 403)).toHaveLength(15);
    const created = await fetch(`${servers[1].url}/api/containers?pageSize=100`, { headers });
    const page = (await created.json()) as { items: { id: string }[] };
    expect(page.items).toHaveLength(5);
    for (const item of page.items) {
      expect((await fetch(`${servers[0].url}/api/containers/${item.id}`, { method: 'DELETE', headers })).status).toBe(204);
    }
  });

  it('counts failed logins across processes', async () => {
    const input = newRegistration();
    await post(servers[0], '/api/auth/register', input);
    const wrong = { login: input.username, password: 'wrong-password-1' };
    expect((await post(servers[0], '/api/auth/login', wrong)).status).toBe(401);
    expect((await post(servers[1], '/api/auth/login', wrong)).status).toBe(401);
    expect((await post(servers[0], '/api/auth/login', wrong)).status).toBe(401);
    expect((await post(servers[1], '/api/auth/login', { login: input.username, password: input.password })).status).toBe(429);
  });
});

interface RunLine {
  msg: string;
  holder?: string;
  startedAt?: string;
  finishedAt?: string;
}

describeIf(Boolean(POSTGRES_URL && DOCKER_HOST), POSTGRES_URL ? NO_ENGINE : NO_POSTGRES)('reconciliation across two berth processes', () => {
  it('never runs in both at once: one process holds the lease, the other skips', async () => {
    const db = await createTestDatabase();
    // A slow engine (each call 1.5 s late) and a 1 s timer in both processes: without the lease, runs would overlap.
    const slowEngine = new SocketProxy(DOCKER_HOST!.replace('unix://', ''), 1500);
    await slowEngine.open();
    const env = { DATABASE_URL: db.url, DOCKER_HOST: slowEngine.host, RECONCILE_INTERVAL_SECONDS: '1', LOG_LEVEL: 'debug' };
    const servers = await Promise.all([startServer(env), startServer(env)]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 9000));
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
      await slowEngine.close();
      await db.drop();
    }
    const lines = servers.flatMap((server) =>
      server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as RunLine),
    );
    const runs = lines.filter((l) => l.msg === 'Reconciliation run').map((l) => ({ holder: l.holder!, from: Date.parse(l.startedAt!), to: Date.parse(l.finishedAt!) }));
    const skipped = lines.filter((l) => l.msg === 'Reconciliation skipped: another process is running it');
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.every((run) => run.to - run.from >= 1400)).toBe(true); // really slow
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    const sorted = [...runs].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) {
      expect({ run: i, overlapsPrevious: sorted[i].from < sorted[i - 1].to }).toEqual({ run: i, overlapsPrevious: false });
    }
  });
});
