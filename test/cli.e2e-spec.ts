import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandTestFactory } from 'nest-commander-testing';
import { AccountsService } from '../src/auth/accounts.service';
import { CliModule } from '../src/cli/cli.module';
import { loadConfig } from '../src/config/app-config';
import { openDatabase } from '../src/prisma/open-database';
import { openSqlConnection, SqlConnection, withSqlSession } from '../src/prisma/sql-connection';
import { PrismaService } from '../src/prisma/prisma.service';
import { createUser } from './support/factories';
import { insertHistoricContainers } from './support/historic';
import { runNode } from './support/processes';

const DELETED_USER_CUID = 'cmdeleteduser000000000000';

/** The operator's CLI as a real process (`node dist/cli.js …`) on a PGlite folder seeded with history. */
describe('berth CLI (real process) repairing polluted customerIds', () => {
  let dir: string;
  let env: Record<string, string>;
  let alice: { id: string; username: string };
  let jester: { id: string; username: string };
  let rows: Record<string, string>;

  const cli = (args: string[], stdin?: string) => runNode('dist/cli.js', env, args, { stdin, timeoutMs: 60000 });

  async function query<T>(sql: string): Promise<T[]> {
    const conn = await openSqlConnection({ kind: 'pglite', dataDir: join(dir, 'db') });
    try {
      return await withSqlSession(conn, (s) => s.query<T>(sql));
    } finally {
      await conn.close();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
    env = { DATABASE_URL: `file:${join(dir, 'db')}`, DOCKER_HOST: 'unix:///tmp/berth-no-engine-here.sock' };
    expect((await cli(['db', 'migrate'])).code).toBe(0);
    // Users through the CLI itself (password on stdin), history through SQL as the old system left it.
    const created = await cli(['users', 'create', '--email', 'alice@example.com', '--username', 'alice'], 'alice-password-1\n');
    expect(created).toMatchObject({ code: 0 });
    alice = { id: created.stdout.trim(), username: 'alice' };
    const jesterRun = await cli(['users', 'create', '--email', 'jester@example.com', '--username', 'jester', '--display-name', 'Jester'], 'jester-password-1\n');
    jester = { id: jesterRun.stdout.trim(), username: 'jester' };

    const conn = await openSqlConnection({ kind: 'pglite', dataDir: join(dir, 'db') });
    try {
      const ids = await insertHistoricContainers(conn, [
        { customerId: 'u-dev-001', name: 'dev-a' },
        { customerId: 'u-dev-001', name: 'dev-b' },
        { customerId: 'u-dev-001', createdById: alice.id, name: 'dev-c' },
        { customerId: 'u000', name: 'handmade' },
        { customerId: `usr_${jester.id}`, name: 'prefixed' },
        { customerId: DELETED_USER_CUID, name: 'orphaned' },
      ]);
      rows = { devA: ids[0], devB: ids[1], devC: ids[2], u000: ids[3], prefixed: ids[4], deleted: ids[5] };
    } finally {
      await conn.close();
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('audit groups the polluted rows with their evidence', async () => {
    const result = await cli(['customer-ids', 'audit', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.groups.map((g: { value: string; rows: unknown[] }) => [g.value, g.rows.length])).toEqual([
      ['u-dev-001', 3],
      [DELETED_USER_CUID, 1],
      ['u000', 1],
      [`usr_${jester.id}`, 1],
    ]);
    const devC = report.groups[0].rows.find((r: { id: string }) => r.id === rows.devC);
    expect(devC.candidate.id).toBe(alice.id);
    expect(devC.evidence[0]).toMatchObject({ source: 'createdById', userId: alice.id });
    const devA = report.groups[0].rows.find((r: { id: string }) => r.id === rows.devA);
    expect(devA).toMatchObject({ candidate: null, evidence: [] });

    const human = await cli(['customer-ids', 'audit']);
    expect(human.stderr).toContain('u-dev-001: 3 row(s)');
    expect(human.stdout).toContain('no reliable mapping');
  });

  it('remap is a dry run by default: it prints the plan, with the conflict, and writes nothing', async () => {
    const before = await query('SELECT id, "customerId" FROM "ContainerInstance" ORDER BY id');
    const events = await query<{ n: number }>('SELECT count(*)::int AS n FROM "AuditEvent"');
    const result = await cli(['customer-ids', 'remap', '--from', 'u-dev-001', '--to', 'jester']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Dry run (nothing written; add --apply): 3 to remap, 3 without a mapping');
    expect(result.stdout).toMatch(new RegExp(`remap +u-dev-001 +${rows.devC}.*CONFLICT`));
    expect(await query('SELECT id, "customerId" FROM "ContainerInstance" ORDER BY id')).toEqual(before);
    expect(await query<{ n: number }>('SELECT count(*)::int AS n FROM "AuditEvent"')).toEqual(events);
  });

  it('refuses bad usage and unknown targets with exit codes 2 and 1', async () => {
    expect((await cli(['customer-ids', 'remap'])).code).toBe(2);
    expect((await cli(['customer-ids', 'remap', '--from', 'u-dev-001'])).code).toBe(2);
    const unknown = await cli(['customer-ids', 'remap', '--from', 'u-dev-001', '--to', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('berth: Mapping for "u-dev-001": no user matches "nobody" (id, public id, username or email)');
  });

  it('--apply changes the mapped rows in one go, one audit event each; rerunning changes nothing', async () => {
    const mapFile = join(dir, 'map.csv');
    writeFileSync(mapFile, `legacy_value,user_ref\nu-dev-001,jester\nusr_${jester.id},${jester.id}\n`);
    const applied = await cli(['customer-ids', 'remap', '--map', mapFile, '--apply']);
    expect(applied.code).toBe(0);
    expect(applied.stderr).toContain('Applied: 4 to remap, 2 without a mapping');

    const owners = Object.fromEntries(
      (await query<{ id: string; customerId: string }>('SELECT id, "customerId" FROM "ContainerInstance"')).map((r) => [r.id, r.customerId]),
    );
    expect([rows.devA, rows.devB, rows.devC, rows.prefixed].map((id) => owners[id])).toEqual(Array(4).fill(jester.id));
    expect(owners[rows.u000]).toBe('u000');
    expect(owners[rows.deleted]).toBe(DELETED_USER_CUID);

    const events = await query<{ targetId: string; actorId: string | null; actorLabel: string; data: any }>(
      `SELECT "targetId", "actorId", "actorLabel", data FROM "AuditEvent" WHERE action = 'customer_id.remap' ORDER BY seq`,
    );
    expect(events).toHaveLength(4);
    const devC = events.find((e) => e.targetId === rows.devC)!;
    expect(devC.actorId).toBeNull();
    expect(devC.actorLabel).toMatch(/^operator .+ \(cli\)$/);
    expect(devC.data).toMatchObject({ oldValue: 'u-dev-001', newOwner: jester.id, conflict: true });
    expect(devC.data.evidence.map((e: { source: string }) => e.source)).toEqual(['mapping', 'createdById']);

    const again = await cli(['customer-ids', 'remap', '--map', mapFile, '--apply']);
    expect(again.stderr).toContain('Applied: 0 to remap, 2 without a mapping');
    expect(await query(`SELECT 1 FROM "AuditEvent" WHERE action = 'customer_id.remap'`)).toHaveLength(4);
  });

  it('enforce refuses while polluted rows remain, then validates the key; afterwards the database refuses u-dev-001', async () => {
    const blocked = await cli(['customer-ids', 'enforce']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('blocking: u000: 1 row(s)');
    expect(blocked.stderr).toContain(`blocking: ${DELETED_USER_CUID}: 1 row(s)`);

    expect((await cli(['customer-ids', 'remap', '--from', 'u000', '--to', 'u001', '--apply'])).code).toBe(0);
    expect((await cli(['customer-ids', 'remap', '--from', DELETED_USER_CUID, '--to', 'alice@example.com', '--apply'])).code).toBe(0);
    const enforced = await cli(['customer-ids', 'enforce']);
    expect(enforced).toMatchObject({ code: 0 });
    expect(await query(`SELECT convalidated FROM pg_constraint WHERE conname = 'ContainerInstance_customerId_fkey'`)).toEqual([{ convalidated: true }]);
    await expect(
      query(`INSERT INTO "ContainerInstance" (id, "customerId", "createdById", name, image, "memoryMb", cpus, "updatedAt")
             VALUES ('cnew', 'u-dev-001', 'u-dev-001', 'x', 'i', 64, 0.25, now())`),
    ).rejects.toThrow(/foreign key/);
    const verify = await cli(['audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stderr).toMatch(/^Audit chain intact: \d+ event\(s\) checked/);
  });

  it('lists users and containers as tables or JSON', async () => {
    const users = await cli(['users', 'list', '--json']);
    expect(JSON.parse(users.stdout).map((u: { publicId: string }) => u.publicId)).toEqual(['u001', 'u002']);
    const containers = await cli(['containers', 'list', '--customer', 'jester']);
    expect(containers.stdout.split('\n')[0]).toMatch(/^ID +NAME +STATUS +OWNER +IMAGE$/);
    expect(containers.stdout).toContain('Jester (jester)');
    const promote = await cli(['users', 'promote', 'u002']);
    expect(promote.stderr).toContain('is now ADMIN');
    const badPassword = await cli(['users', 'create', '--email', 'x@example.com', '--username', 'xx'], 'short\n');
    expect(badPassword.code).toBe(2);
    expect(badPassword.stderr).toContain('username must be 3-32');
  });
});

/** The same commands in-process through nest-commander's testing module. */
describe('berth CLI (in-process)', () => {
  it('reports no pollution on a clean database and verifies the audit chain', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'memory', LOG_LEVEL: 'silent', DOCKER_HOST: 'unix:///tmp/berth-no-engine-here.sock' });
    const connection: SqlConnection = await openDatabase(config, () => undefined);
    const app = await CommandTestFactory.createTestingCommand({ imports: [CliModule.forRoot(config, connection)] }).compile();
    // An audited account (AccountsService), plus a user written around it: neither is a pollution.
    await app.get(AccountsService).create({ email: 'op@example.com', username: 'operator', password: 'operator-password-1' });
    await createUser(app.get(PrismaService));
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await CommandTestFactory.runWithoutClosing(app, ['customer-ids', 'audit', '--json']);
      expect(JSON.parse(String(stdout.mock.calls.map((c) => c[0]).join('')))).toEqual({ engineChecked: false, groups: [] });
      stdout.mockClear();
      await CommandTestFactory.runWithoutClosing(app, ['audit', 'verify', '--json']);
      expect(JSON.parse(String(stdout.mock.calls.map((c) => c[0]).join('')))).toEqual({ ok: true, checked: 1, firstBadEventId: null });
      expect(process.exitCode ?? 0).toBe(0);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      await app.close();
    }
  });
});

