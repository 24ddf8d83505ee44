import { Logger } from '@nestjs/common';
import Docker from 'dockerode';
import request from 'supertest';
import { CONTAINER_ID_ROUTES } from '../support/container-routes';
import { LABEL_CUSTOMER_ID, LABEL_INSTANCE_ID } from '../../src/containers/runtime/container-runtime';
import { ReconciliationService } from '../../src/containers/reconciliation.service';
import { describeOnEngine, DOCKER_HOST, LONG_RUNNING, TEST_IMAGE } from '../support/engine';
import { bearer, register, Registered } from '../support/factories';
import { SocketProxy } from '../support/socket-proxy';
import { startTestApp, TestApp } from '../support/test-app';

describeOnEngine('containers on a real engine', () => {
  const docker = new Docker({ socketPath: DOCKER_HOST!.replace('unix://', '') });
  const proxy = new SocketProxy(DOCKER_HOST!.replace('unix://', ''));
  let t: TestApp;
  let alice: Registered;
  let bob: Registered;

  beforeAll(async () => {
    await proxy.open();
    t = await startTestApp({
      DOCKER_HOST: proxy.host,
      CONTAINER_IMAGES: TEST_IMAGE,
      CONTAINER_STOP_TIMEOUT: '2s',
      CONTAINER_MAX_CPUS: '64',
      QUOTA_MAX_CONTAINERS: '5',
      QUOTA_MAX_CPUS: '100',
    });
    alice = await register(t.http);
    bob = await register(t.http);
  });

  afterAll(async () => {
    await proxy.close();
    // Everything this file's users own on the engine (their ids exist nowhere else).
    const users = new Set((await t.prisma.user.findMany({ select: { id: true } })).map((u) => u.id));
    const ours = await docker.listContainers({ all: true, filters: { label: [LABEL_CUSTOMER_ID] } });
    await Promise.all(
      ours.filter((c) => users.has(c.Labels[LABEL_CUSTOMER_ID])).map((c) => docker.getContainer(c.Id).remove({ force: true })),
    );
    await t.close();
  });

  function create(user: Registered, body: Record<string, unknown>) {
    return request(t.http)
      .post('/api/containers')
      .set(bearer(user.accessToken))
      .send({ image: TEST_IMAGE, command: LONG_RUNNING, memoryMb: 16, cpus: 0.1, ...body });
  }

  async function engineState(containerId: string): Promise<string | undefined> {
    const row = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: containerId } });
    if (!row.engineId) return undefined;
    return (await docker.getContainer(row.engineId).inspect().catch(() => undefined))?.State.Status;
  }

  it('creates and starts a container owned by the caller, whatever customerId the body carries', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      for (const [name, customerId] of [['spoof-other', bob.user.id], ['spoof-dev', 'u-dev-001'], ['spoof-public', bob.user.publicCustomerId]]) {
        const res = await create(alice, { name, customerId, createdById: bob.user.id, status: 'DELETED', id: 'u000' }).expect(201);
        expect(res.body).toMatchObject({ name, customerId: alice.user.id, status: 'RUNNING', memoryMb: 16, cpus: 0.1 });
        expect(res.body.id).toMatch(/^c[a-z0-9]{24}$/); // the one id format of the table (Prisma's cuid)
        const row = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: res.body.id } });
        expect(res.body).toMatchObject({ createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() });
        expect(row).toMatchObject({ customerId: alice.user.id, createdById: alice.user.id });
        const info = await docker.getContainer(row.engineId!).inspect();
        expect(info.Config.Labels).toMatchObject({ [LABEL_CUSTOMER_ID]: alice.user.id, [LABEL_INSTANCE_ID]: row.id });
        expect(info.State.Status).toBe('running');
      }
      const noticed = warn.mock.calls.filter(([payload]) => JSON.stringify(payload).includes('u-dev-001'));
      expect(noticed).toHaveLength(1);
      expect(JSON.stringify(noticed[0][0])).toContain(alice.user.label);
    } finally {
      warn.mockRestore();
    }
  });

  it('runs the lifecycle, with logs and stats', async () => {
    const { body } = await create(alice, { name: 'life', env: { GREETING: 'hi' } }).expect(201);
    const path = `/api/containers/${body.id}`;
    const auth = bearer(alice.accessToken);
    expect((await request(t.http).post(`${path}/stop`).set(auth).expect(200)).body.status).toBe('STOPPED');
    expect(await engineState(body.id)).toBe('exited');
    expect((await request(t.http).post(`${path}/start`).set(auth).expect(200)).body.status).toBe('RUNNING');
    expect((await request(t.http).post(`${path}/restart`).set(auth).expect(200)).body.status).toBe('RUNNING');
    expect(await engineState(body.id)).toBe('running');

    const logs = await request(t.http).get(`${path}/logs?tail=50`).set(auth).expect(200);
    expect(logs.headers['content-type']).toMatch(/^text\/plain/);
    expect(logs.text).toContain('started\n');
    expect(logs.text).toContain('oops\n');
    const stats = await request(t.http).get(`${path}/stats`).set(auth).expect(200);
    expect(stats.body).toEqual({ cpuPercent: expect.any(Number), memoryBytes: expect.any(Number), memoryLimitBytes: 16 * 1024 * 1024, pids: expect.any(Number) });
  });

  it("gives another customer 404 on every route and changes nothing on the engine", async () => {
    const { body } = await create(alice, { name: 'private' }).expect(201);
    for (const [method, suffix] of CONTAINER_ID_ROUTES) {
      const res = await request(t.http)[method](`/api/containers/${body.id}${suffix}`).set(bearer(bob.accessToken));
      expect({ suffix, status: res.status }).toEqual({ suffix, status: 404 });
    }
    expect(await engineState(body.id)).toBe('running');
    expect((await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: body.id } })).status).toBe('RUNNING');
    const bobs = await request(t.http).get('/api/containers').set(bearer(bob.accessToken)).expect(200);
    expect(bobs.body.items.map((c: { id: string }) => c.id)).not.toContain(body.id);
  });

  it('deletes: engine container removed, row kept as DELETED, out of lists, name free again', async () => {
    const { body } = await create(bob, { name: 'temp' }).expect(201);
    const row = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: body.id } });
    await create(bob, { name: 'temp' }).expect(409);
    await request(t.http).delete(`/api/containers/${body.id}`).set(bearer(bob.accessToken)).expect(204);
    await expect(docker.getContainer(row.engineId!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: body.id } })).toMatchObject({ status: 'DELETED', activeName: null });
    await request(t.http).get(`/api/containers/${body.id}`).set(bearer(bob.accessToken)).expect(404);
    const list = await request(t.http).get('/api/containers').set(bearer(bob.accessToken)).expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(body.id);
    await create(bob, { name: 'temp' }).expect(201);
  });

  it('two deletes at once: one succeeds, the other is refused, and the log records one delete', async () => {
    const { body } = await create(bob, { name: 'twice' }).expect(201);
    const statuses = await Promise.all(
      [1, 2].map(() => request(t.http).delete(`/api/containers/${body.id}`).set(bearer(bob.accessToken)).then((res) => res.status)),
    );
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    // The loser is refused: by berth (404, already DELETED) or by the engine (removal in progress: 409).
    expect(statuses.filter((status) => [404, 409].includes(status))).toHaveLength(1);
    expect(await t.prisma.auditEvent.count({ where: { action: 'container.delete', targetId: body.id } })).toBe(1);
    expect(await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: body.id } })).toMatchObject({ status: 'DELETED' });
  });

  it('lists only the caller\'s containers, newest first, paged and filtered', async () => {
    const page1 = await request(t.http).get('/api/containers?pageSize=2').set(bearer(alice.accessToken)).expect(200);
    expect(page1.body).toMatchObject({ page: 1, pageSize: 2 });
    expect(page1.body.total).toBeGreaterThanOrEqual(4);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items.every((c: { customerId: string }) => c.customerId === alice.user.id)).toBe(true);
    const page2 = await request(t.http).get('/api/containers?pageSize=2&page=2').set(bearer(alice.accessToken)).expect(200);
    expect(page2.body.items[0].createdAt <= page1.body.items[1].createdAt).toBe(true);
    const running = await request(t.http).get('/api/containers?status=RUNNING').set(bearer(alice.accessToken)).expect(200);
    expect(running.body.items.every((c: { status: string }) => c.status === 'RUNNING')).toBe(true);
  });

  it('holds the quota under 20 parallel creates: exactly the allowed number are made', async () => {
    const carol = await register(t.http);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => create(carol, { name: `race-${i}` })));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 403)).toHaveLength(15);
    expect(results.find((res) => res.status === 403)!.body.code).toBe('QUOTA_EXCEEDED');
    expect(await t.prisma.containerInstance.count({ where: { customerId: carol.user.id } })).toBe(5);
    const onEngine = await docker.listContainers({ all: true, filters: { label: [`${LABEL_CUSTOMER_ID}=${carol.user.id}`] } });
    expect(onEngine).toHaveLength(5);
  });

  it('an engine refusal is 422 ENGINE_REJECTED: row FAILED with the reason, no engine container left', async () => {
    const dave = await register(t.http);
    const res = await create(dave, { name: 'too-many-cpus', cpus: 32 }).expect(422);
    expect(res.body.code).toBe('ENGINE_REJECTED');
    expect(res.body.message).toMatch(/cpu/i);
    const row = await t.prisma.containerInstance.findFirstOrThrow({ where: { customerId: dave.user.id, name: 'too-many-cpus' } });
    expect(row).toMatchObject({ status: 'FAILED', engineId: null, lastError: expect.stringMatching(/cpu/i) });
    const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL_INSTANCE_ID}=${row.id}`] } });
    expect(left).toEqual([]);
  });

  it('reconciles rows with the engine and reports orphans; an unreachable engine changes nothing', async () => {
    const reconciler = t.app.get(ReconciliationService);
    const gone = (await create(bob, { name: 'gone' }).expect(201)).body;
    const exited = (await create(bob, { name: 'exited' }).expect(201)).body;
    const goneRow = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: gone.id } });
    const exitedRow = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: exited.id } });
    await docker.getContainer(goneRow.engineId!).remove({ force: true });
    await docker.getContainer(exitedRow.engineId!).stop({ t: 1 });
    const orphan = await docker.createContainer({
      Image: TEST_IMAGE,
      Cmd: ['true'],
      Labels: { 'berth.managed-by': 'berth', [LABEL_INSTANCE_ID]: 'cnorow000000000000000000', [LABEL_CUSTOMER_ID]: bob.user.id },
    });

    await proxy.close();
    const blind = await reconciler.reconcile();
    expect(blind).toEqual({ engineReachable: false, checked: 0, changes: [], orphans: [], nodesDown: [] });
    expect((await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: gone.id } })).status).toBe('RUNNING');
    await proxy.open();

    const report = await reconciler.reconcile();
    expect(report.engineReachable).toBe(true);
    expect(report.changes).toEqual(
      expect.arrayContaining([
        { id: gone.id, customerId: bob.user.id, from: 'RUNNING', to: 'MISSING' },
        { id: exited.id, customerId: bob.user.id, from: 'RUNNING', to: 'STOPPED' },
      ]),
    );
    expect(report.orphans.map((o) => o.engineId)).toContain(orphan.id);
    expect(await docker.getContainer(orphan.id).inspect()).toBeTruthy(); // reported, not deleted
    const again = await reconciler.reconcile();
    expect(again.changes.filter((c) => [gone.id, exited.id].includes(c.id))).toEqual([]);
    await request(t.http).post(`/api/containers/${gone.id}/start`).set(bearer(bob.accessToken)).expect(409);
  });

  it('when the engine goes away mid-test: 503, no debris, reads still work, and it recovers', async () => {
    const erin = await register(t.http);
    const before = await t.prisma.containerInstance.count();
    const { body: existing } = await create(erin, { name: 'survivor' }).expect(201);
    await proxy.close();
    try {
      const res = await create(erin, { name: 'during-outage' }).expect(503);
      expect(res.body.code).toBe('ENGINE_UNAVAILABLE');
      expect(await t.prisma.containerInstance.count()).toBe(before + 1);
      expect(await t.prisma.containerInstance.count({ where: { status: 'PROVISIONING' } })).toBe(0);
      await request(t.http).get(`/api/containers/${existing.id}`).set(bearer(erin.accessToken)).expect(200);
      await request(t.http).delete(`/api/containers/${existing.id}`).set(bearer(erin.accessToken)).expect(503);
      expect((await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: existing.id } })).status).toBe('RUNNING');
      const ready = await request(t.http).get('/health/ready').expect(200);
      expect(ready.body.engine.status).toBe('down');
    } finally {
      await proxy.open();
    }
    // On the engine, erin has exactly the survivor: the failed create left no container.
    const erins = await docker.listContainers({ all: true, filters: { label: [`${LABEL_CUSTOMER_ID}=${erin.user.id}`] } });
    expect(erins.map((c) => c.Labels[LABEL_INSTANCE_ID])).toEqual([existing.id]);
    await create(erin, { name: 'during-outage' }).expect(201);
  });
});
