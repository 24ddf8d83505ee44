import request from 'supertest';
import { SQL_CONNECTION } from '../src/prisma/prisma.tokens';
import { SqlConnection, withSqlSession } from '../src/prisma/sql-connection';
import { bearer, createUser, login, register, Registered } from './support/factories';
import { insertHistoricContainers } from './support/historic';
import { startTestApp, TestApp } from './support/test-app';

describe('admin routes and the audit log', () => {
  let t: TestApp;
  let admin: Registered;
  let alice: Registered;

  async function sql(text: string): Promise<unknown[]> {
    return withSqlSession(t.app.get<SqlConnection>(SQL_CONNECTION), (s) => s.query(text));
  }

  async function counts() {
    return {
      users: await t.prisma.user.count(),
      containers: await t.prisma.containerInstance.count(),
      events: await t.prisma.auditEvent.count(),
      quotas: await t.prisma.customerQuota.count(),
    };
  }

  beforeAll(async () => {
    t = await startTestApp();
    const created = await createUser(t.prisma, { role: 'ADMIN', displayName: 'Root' });
    admin = await login(t.http, created.user.username, created.password);
    alice = await register(t.http, { displayName: 'Alice' });
  });
  afterAll(() => t.close());

  it('the database refuses a new container row whose owner is not a user', async () => {
    await expect(
      t.prisma.containerInstance.create({
        data: { customerId: 'u-dev-001', createdById: 'u-dev-001', name: 'nope', image: 'x', memoryMb: 64, cpus: 0.25 },
      }),
    ).rejects.toThrow(/foreign key|ContainerInstance_customerId_fkey/);
  });

  it('a USER gets 403 on every admin route, and nothing is written', async () => {
    const before = await counts();
    const calls: [string, string, object?][] = [
      ['post', '/api/admin/containers', { customerId: alice.user.id, reason: 'test it', name: 'x1', image: 'localhost/busybox:latest' }],
      ['get', '/api/admin/containers'],
      ['post', '/api/admin/containers/cabc/start'],
      ['post', '/api/admin/containers/cabc/stop'],
      ['post', '/api/admin/containers/cabc/restart'],
      ['delete', '/api/admin/containers/cabc'],
      ['post', '/api/admin/containers/cabc/transfer', { toCustomerId: alice.user.id, reason: 'mine now' }],
      ['get', '/api/admin/users'],
      ['get', `/api/admin/users/${alice.user.username}`],
      ['patch', `/api/admin/users/${alice.user.id}`, { role: 'ADMIN' }],
      ['get', '/api/admin/audit'],
      ['get', '/api/admin/audit/verify'],
    ];
    for (const [method, path, body] of calls) {
      const res = await (request(t.http) as any)[method](path).set(bearer(alice.accessToken)).send(body ?? {});
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    expect(await counts()).toEqual(before);
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: alice.user.id } })).role).toBe('USER');
  });

  describe('POST /api/admin/containers refuses anything but a user id as owner', () => {
    it.each([
      ['a username', () => alice.user.username, 400, 'INVALID_CUSTOMER_ID', /not a username/],
      ['an email', () => alice.user.email, 400, 'INVALID_CUSTOMER_ID', /not an email/],
      ['a public customer id', () => alice.user.publicCustomerId, 400, 'INVALID_CUSTOMER_ID', /not a public customer id/],
      ['the dev placeholder', () => 'u-dev-001', 404, 'CUSTOMER_NOT_FOUND', /user id of an existing user/],
      ['a hand-made test id', () => 'u000', 404, 'CUSTOMER_NOT_FOUND', /user id of an existing user/],
      ['an unknown cuid', () => 'cmk07b7n40000000000000000', 404, 'CUSTOMER_NOT_FOUND', /no user has id/],
    ])('%s', async (_what, value, status, code, message) => {
      const before = await counts();
      const res = await request(t.http)
        .post('/api/admin/containers')
        .set(bearer(admin.accessToken))
        .send({ customerId: value(), reason: 'support ticket 42', name: 'for-alice', image: 'localhost/busybox:latest' })
        .expect(status);
      expect(res.body.code).toBe(code);
      expect(res.body.message).toMatch(message);
      if (code === 'INVALID_CUSTOMER_ID') expect(res.body.message).toContain(alice.user.id);
      expect(await counts()).toEqual(before);
    });

    it('a disabled user, and a missing reason', async () => {
      const disabled = await createUser(t.prisma, { disabled: true });
      const res = await request(t.http)
        .post('/api/admin/containers')
        .set(bearer(admin.accessToken))
        .send({ customerId: disabled.user.id, reason: 'support', name: 'x2', image: 'localhost/busybox:latest' })
        .expect(400);
      expect(res.body.message).toMatch(/disabled/);
      const noReason = await request(t.http)
        .post('/api/admin/containers')
        .set(bearer(admin.accessToken))
        .send({ customerId: alice.user.id, name: 'x3', image: 'localhost/busybox:latest' })
        .expect(400);
      expect(noReason.body.fields.map((f: { field: string }) => f.field)).toEqual(['reason']);
    });
  });

  it('lists historic rows whose customerId is not a user id as owner unknown', async () => {
    const base = { image: 'localhost/busybox:latest', memoryMb: 64, cpus: 0.25, status: 'STOPPED' as const };
    const pollutedIds = await insertHistoricContainers(t.app.get<SqlConnection>(SQL_CONNECTION), [
      { customerId: 'u-dev-001' },
      { customerId: 'u000' },
      { customerId: alice.user.username },
    ]);
    const polluted = await t.prisma.containerInstance.findMany({ where: { id: { in: pollutedIds } } });
    expect(polluted).toHaveLength(3);
    const good = await t.prisma.containerInstance.create({
      data: { ...base, customerId: alice.user.id, createdById: alice.user.id, name: 'fine', activeName: 'fine' },
    });
    const all = await request(t.http).get('/api/admin/containers?pageSize=100').set(bearer(admin.accessToken)).expect(200);
    const byId = new Map(all.body.items.map((c: { id: string }) => [c.id, c]));
    for (const row of polluted) expect(byId.get(row.id)).toMatchObject({ ownerKnown: false, ownerLabel: null, customerId: row.customerId });
    expect(byId.get(good.id)).toMatchObject({ ownerKnown: true, ownerLabel: alice.user.label });

    const unknown = await request(t.http).get('/api/admin/containers?ownerKnown=false').set(bearer(admin.accessToken)).expect(200);
    expect(unknown.body.items.map((c: { id: string }) => c.id).sort()).toEqual(polluted.map((r) => r.id).sort());
    const known = await request(t.http).get('/api/admin/containers?ownerKnown=true').set(bearer(admin.accessToken)).expect(200);
    expect(known.body.items.map((c: { id: string }) => c.id)).toEqual([good.id]);
    const dev = await request(t.http).get('/api/admin/containers?customerId=u-dev-001').set(bearer(admin.accessToken)).expect(200);
    expect(dev.body.total).toBe(1);
    await request(t.http).get('/api/admin/containers?ownerKnown=maybe').set(bearer(admin.accessToken)).expect(400);
  });

  describe('admin users', () => {
    it('finds a user by id, public id, username or email, with container counts and quota', async () => {
      for (const ref of [alice.user.id, alice.user.publicCustomerId, alice.user.username, alice.user.email.toUpperCase()]) {
        const res = await request(t.http).get(`/api/admin/users/${encodeURIComponent(ref)}`).set(bearer(admin.accessToken)).expect(200);
        expect(res.body).toMatchObject({ id: alice.user.id, quota: { maxContainers: 10, overridden: {} } });
        expect(JSON.stringify(res.body)).not.toContain('passwordHash');
      }
      await request(t.http).get('/api/admin/users/nobody-at-all').set(bearer(admin.accessToken)).expect(404);
      const list = await request(t.http).get(`/api/admin/users?query=${alice.user.username.slice(0, 8)}&role=USER`).set(bearer(admin.accessToken)).expect(200);
      expect(list.body.items.map((u: { id: string }) => u.id)).toContain(alice.user.id);
    });

    it('sets and resets a quota override, audited', async () => {
      const res = await request(t.http)
        .patch(`/api/admin/users/${alice.user.id}`)
        .set(bearer(admin.accessToken))
        .send({ quota: { maxContainers: 2 }, reason: 'trial account' })
        .expect(200);
      expect(res.body.quota).toMatchObject({ maxContainers: 2, overridden: { maxContainers: 2 } });
      const reset = await request(t.http)
        .patch(`/api/admin/users/${alice.user.id}`)
        .set(bearer(admin.accessToken))
        .send({ quota: { maxContainers: null } })
        .expect(200);
      expect(reset.body.quota).toMatchObject({ maxContainers: 10, overridden: {} });
      const events = await t.prisma.auditEvent.findMany({ where: { action: 'user.quota_change', targetId: alice.user.id } });
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({ actorId: admin.user.id, customerId: alice.user.id, reason: 'trial account' });
    });

    it('disabling ends the sessions at once; enabling lets the user back in', async () => {
      const bob = await register(t.http);
      await request(t.http).patch(`/api/admin/users/${bob.user.username}`).set(bearer(admin.accessToken)).send({ disabled: true, reason: 'abuse report' }).expect(200);
      await request(t.http).get('/api/users/me').set(bearer(bob.accessToken)).expect(401);
      await request(t.http).post('/api/auth/refresh').send({ refreshToken: bob.refreshToken }).expect(401);
      expect(await t.prisma.session.count({ where: { userId: bob.user.id, revokedAt: null } })).toBe(0);
      await request(t.http).patch(`/api/admin/users/${bob.user.id}`).set(bearer(admin.accessToken)).send({ disabled: false }).expect(200);
      await login(t.http, bob.user.username, bob.password);
      const actions = (await t.prisma.auditEvent.findMany({ where: { targetId: bob.user.id }, orderBy: { seq: 'asc' } })).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['user.disable', 'user.enable']));
    });

    it('promotes with effect on the next request, and refuses to remove the last active admin', async () => {
      const carol = await register(t.http);
      await request(t.http).get('/api/admin/users').set(bearer(carol.accessToken)).expect(403);
      await request(t.http).patch(`/api/admin/users/${carol.user.id}`).set(bearer(admin.accessToken)).send({ role: 'ADMIN' }).expect(200);
      await request(t.http).get('/api/admin/users').set(bearer(carol.accessToken)).expect(200);

      // Two admins: carol may demote the first; then carol is the last and cannot go.
      await request(t.http).patch(`/api/admin/users/${admin.user.id}`).set(bearer(carol.accessToken)).send({ role: 'USER' }).expect(200);
      for (const change of [{ role: 'USER' }, { disabled: true }]) {
        const res = await request(t.http).patch(`/api/admin/users/${carol.user.id}`).set(bearer(carol.accessToken)).send(change).expect(409);
        expect(res.body.code).toBe('LAST_ADMIN');
      }
      expect(await t.prisma.user.findUniqueOrThrow({ where: { id: carol.user.id } })).toMatchObject({ role: 'ADMIN', disabledAt: null });
      await request(t.http).patch(`/api/admin/users/${admin.user.id}`).set(bearer(carol.accessToken)).send({ role: 'ADMIN' }).expect(200);
    });

    it('refuses bad input with 400', async () => {
      for (const body of [{ role: 'ROOT' }, { disabled: 'yes' }, { quota: { maxContainers: -1 } }, { quota: 'lots' }]) {
        const res = await request(t.http).patch(`/api/admin/users/${alice.user.id}`).set(bearer(admin.accessToken)).send(body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
    });
  });

  describe('audit log', () => {
    it('records auth events with actor, customer, ip and request id', async () => {
      const dave = await register(t.http, { displayName: 'Dave' });
      await request(t.http).post('/api/auth/login').send({ login: dave.user.username, password: 'wrong-password-1' }).expect(401);
      await request(t.http)
        .post('/api/users/me/password')
        .set(bearer(dave.accessToken))
        .set('x-request-id', 'audit-check-0001')
        .send({ currentPassword: dave.password, newPassword: 'another-long-password' })
        .expect(204);
      await request(t.http).post('/api/auth/logout').set(bearer(dave.accessToken)).expect(204);
      const res = await request(t.http).get(`/api/admin/audit?customerId=${dave.user.id}&pageSize=100`).set(bearer(admin.accessToken)).expect(200);
      const actions = res.body.items.map((e: { action: string }) => e.action).reverse();
      expect(actions).toEqual(['user.register', 'auth.login_failed', 'user.password_change', 'auth.logout']);
      const change = res.body.items.find((e: { action: string }) => e.action === 'user.password_change');
      expect(change).toMatchObject({
        actorId: dave.user.id,
        actorLabel: dave.user.label,
        customerId: dave.user.id,
        requestId: 'audit-check-0001',
        ip: expect.stringMatching(/127\.0\.0\.1/),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(JSON.stringify(res.body)).not.toContain(dave.password);
      const filtered = await request(t.http).get('/api/admin/audit?action=auth.logout').set(bearer(admin.accessToken)).expect(200);
      expect(filtered.body.items.every((e: { action: string }) => e.action === 'auth.logout')).toBe(true);
      await request(t.http).get('/api/admin/audit?from=yesterday').set(bearer(admin.accessToken)).expect(400);
    });

    it('the database refuses UPDATE, DELETE and TRUNCATE on events', async () => {
      await expect(sql(`UPDATE "AuditEvent" SET reason = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
      await expect(sql(`DELETE FROM "AuditEvent" WHERE seq = 1`)).rejects.toThrow(/append-only/);
      await expect(sql(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/append-only/);
    });

    it('a change whose event cannot be written does not happen', async () => {
      await sql(`CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit down'; END $$`);
      await sql(`CREATE TRIGGER refuse_insert BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION refuse_insert()`);
      try {
        const users = await t.prisma.user.count();
        await request(t.http).post('/api/auth/register').send({ email: 'atomic@example.com', username: 'atomic', password: 'long-enough-pw' }).expect(500);
        expect(await t.prisma.user.count()).toBe(users);
      } finally {
        await sql(`DROP TRIGGER refuse_insert ON "AuditEvent"`);
        await sql(`DROP FUNCTION refuse_insert()`);
      }
    });

    it('verify finds an edited event and a removed one (after the trigger is dropped)', async () => {
      const ok = await request(t.http).get('/api/admin/audit/verify').set(bearer(admin.accessToken)).expect(200);
      expect(ok.body).toEqual({ ok: true, checked: await t.prisma.auditEvent.count(), firstBadEventId: null });

      await sql(`DROP TRIGGER "AuditEvent_no_update_delete" ON "AuditEvent"`);
      await sql(`UPDATE "AuditEvent" SET reason = 'nothing to see' WHERE seq = 3`);
      const edited = await request(t.http).get('/api/admin/audit/verify').set(bearer(admin.accessToken)).expect(200);
      expect(edited.body).toEqual({ ok: false, checked: 2, firstBadEventId: 3 });

      await sql(`DELETE FROM "AuditEvent" WHERE seq = 3`);
      const removed = await request(t.http).get('/api/admin/audit/verify').set(bearer(admin.accessToken)).expect(200);
      expect(removed.body).toEqual({ ok: false, checked: 2, firstBadEventId: 4 });
    });
  });
});
