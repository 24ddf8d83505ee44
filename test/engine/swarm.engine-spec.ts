import Docker from 'dockerode';
import request from 'supertest';
import { CONTAINER_ID_ROUTES } from '../support/container-routes';
import { LABEL_CUSTOMER_ID, LABEL_INSTANCE_ID, LABEL_MANAGED_BY } from '../../src/containers/runtime/container-runtime';
import { ReconciliationService } from '../../src/containers/reconciliation.service';
import { describeOnEngine, DOCKER_HOST, ensureSwarm, LONG_RUNNING, TEST_IMAGE } from '../support/engine';
import { bearer, createUser, login, register, Registered } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

const SWARM_ENV = {
  CONTAINER_RUNTIME: 'swarm',
  CONTAINER_IMAGES: TEST_IMAGE,
  CONTAINER_STOP_TIMEOUT: '2s',
  SWARM_START_TIMEOUT: '20s',
  SWARM_RESTART_DELAY_SECONDS: '0',
  QUOTA_MAX_CONTAINERS: '20',
};

describeOnEngine('every container route on the swarm runtime (single node)', () => {
  const docker = new Docker({ socketPath: DOCKER_HOST!.replace('unix://', '') });
  let t: TestApp;
  let alice: Registered;
  let bob: Registered;
  let admin: Registered;

  beforeAll(async () => {
    await ensureSwarm(docker);
    t = await startTestApp({ DOCKER_HOST: DOCKER_HOST!, ...SWARM_ENV });
    alice = await register(t.http);
    bob = await register(t.http);
    const root = await createUser(t.prisma, { role: 'ADMIN', displayName: 'Root' });
    admin = await login(t.http, root.user.username, root.password);
  });

  afterAll(async () => {
    // Every service and network this file's users own (their ids exist nowhere else).
    const users = new Set((await t.prisma.user.findMany({ select: { id: true } })).map((u) => u.id));
    const services = await docker.listServices({ filters: { label: [LABEL_CUSTOMER_ID] } });
    await Promise.all(services.filter((s) => users.has(s.Spec?.Labels?.[LABEL_CUSTOMER_ID] ?? '')).map((s) => docker.getService(s.ID).remove()));
    await t.close();
  });

  const create = (user: Registered, body: Record<string, unknown>) =>
    request(t.http)
      .post('/api/containers')
      .set(bearer(user.accessToken))
      .send({ image: TEST_IMAGE, command: LONG_RUNNING, memoryMb: 16, cpus: 0.1, ...body });

  async function service(containerId: string) {
    const row = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: containerId } });
    return docker.getService(row.engineId!).inspect();
  }

  async function runningTasks(containerId: string) {
    const row = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: containerId } });
    const tasks = await docker.listTasks({ filters: { service: [row.engineId!] } });
    return tasks.filter((task: { Status: { State: string } }) => task.Status.State === 'running');
  }

  it('/health/ready shows the cluster', async () => {
    const res = await request(t.http).get('/health/ready').expect(200);
    expect(res.body.engine).toMatchObject({
      status: 'up',
      runtime: 'swarm',
      cluster: { managers: 1, nodesReady: 1, nodesDown: 0, nodes: [expect.objectContaining({ role: 'manager', state: 'ready', leader: true })] },
    });
  });

  it('creates a one-replica service owned by the caller, with labels, limits, restart policy and no ports', async () => {
    const res = await create(alice, { name: 'web', customerId: bob.user.id, env: { GREETING: 'hi' } }).expect(201);
    expect(res.body).toMatchObject({ name: 'web', customerId: alice.user.id, status: 'RUNNING' });
    const spec = (await service(res.body.id)).Spec as any;
    const labels = { [LABEL_MANAGED_BY]: 'berth', [LABEL_INSTANCE_ID]: res.body.id, [LABEL_CUSTOMER_ID]: alice.user.id };
    expect(spec.Labels).toMatchObject(labels);
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(spec.TaskTemplate.ContainerSpec).toMatchObject({ Image: TEST_IMAGE, Args: LONG_RUNNING, Env: ['GREETING=hi'], Labels: labels });
    expect(spec.TaskTemplate.Resources.Limits).toMatchObject({ MemoryBytes: 16 * 1024 * 1024, NanoCPUs: 1e8 });
    expect(spec.TaskTemplate.RestartPolicy).toMatchObject({ Condition: 'on-failure' });
    expect(spec.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(spec.TaskTemplate.Networks ?? []).toEqual([]);
    const [task] = await runningTasks(res.body.id);
    const container = await docker.getContainer(task.Status.ContainerStatus.ContainerID).inspect();
    expect(container.Config.Labels).toMatchObject(labels);
    expect(container.HostConfig.Memory).toBe(16 * 1024 * 1024);
  });

  it('runs the lifecycle: stop scales to 0, start to 1, restart replaces the task; logs and stats', async () => {
    const { body } = await create(alice, { name: 'life' }).expect(201);
    const path = `/api/containers/${body.id}`;
    const auth = bearer(alice.accessToken);
    expect((await request(t.http).post(`${path}/stop`).set(auth).expect(200)).body.status).toBe('STOPPED');
    expect((await service(body.id)).Spec?.Mode).toEqual({ Replicated: { Replicas: 0 } });
    expect(await runningTasks(body.id)).toEqual([]);
    expect((await request(t.http).post(`${path}/start`).set(auth).expect(200)).body.status).toBe('RUNNING');
    const [before] = await runningTasks(body.id);
    expect((await request(t.http).post(`${path}/restart`).set(auth).expect(200)).body.status).toBe('RUNNING');
    const after = await runningTasks(body.id);
    expect(after.map((task: { ID: string }) => task.ID)).not.toContain(before.ID);
    expect(after).toHaveLength(1);

    const logs = await request(t.http).get(`${path}/logs?tail=50`).set(auth).expect(200);
    expect(logs.text).toContain('started\n');
    expect(logs.text).toContain('oops\n');
    // The task runs on this node (the manager), so its stats are readable.
    const stats = await request(t.http).get(`${path}/stats`).set(auth).expect(200);
    expect(stats.body).toEqual({ cpuPercent: expect.any(Number), memoryBytes: expect.any(Number), memoryLimitBytes: 16 * 1024 * 1024, pids: expect.any(Number) });
  });

  it('gives another customer 404 on every route and changes nothing', async () => {
    const { body } = await create(alice, { name: 'private' }).expect(201);
    for (const [method, suffix] of CONTAINER_ID_ROUTES) {
      const res = await request(t.http)[method](`/api/containers/${body.id}${suffix}`).set(bearer(bob.accessToken));
      expect({ suffix, status: res.status }).toEqual({ suffix, status: 404 });
    }
    expect(await runningTasks(body.id)).toHaveLength(1);
  });

  it('deletes: the service is removed, the row kept as DELETED', async () => {
    const { body } = await create(bob, { name: 'temp' }).expect(201);
    const row = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: body.id } });
    await request(t.http).delete(`/api/containers/${body.id}`).set(bearer(bob.accessToken)).expect(204);
    await expect(docker.getService(row.engineId!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: body.id } })).toMatchObject({ status: 'DELETED' });
  });

  it('a task that cannot run is 422 ENGINE_REJECTED: row FAILED with the reason, no service left', async () => {
    const res = await create(bob, { name: 'broken', command: ['/no/such/program'] }).expect(422);
    expect(res.body.code).toBe('ENGINE_REJECTED');
    const row = await t.prisma.containerInstance.findFirstOrThrow({ where: { customerId: bob.user.id, name: 'broken' } });
    expect(row).toMatchObject({ status: 'FAILED', engineId: null, lastError: expect.stringMatching(/no such file|not found|executable/i) });
    expect(await docker.listServices({ filters: { label: [`${LABEL_INSTANCE_ID}=${row.id}`] } })).toEqual([]);
  });

  it('admin routes: create for a customer, stop, transfer, delete', async () => {
    const auth = bearer(admin.accessToken);
    const made = await request(t.http)
      .post('/api/admin/containers')
      .set(auth)
      .send({ customerId: bob.user.id, image: TEST_IMAGE, command: LONG_RUNNING, memoryMb: 16, cpus: 0.05, name: 'support', reason: 'ticket 9' })
      .expect(201);
    expect(made.body).toMatchObject({ customerId: bob.user.id, status: 'RUNNING' });
    expect((await service(made.body.id)).Spec?.Labels).toMatchObject({ [LABEL_CUSTOMER_ID]: bob.user.id });
    const stopped = await request(t.http).post(`/api/admin/containers/${made.body.id}/stop`).set(auth).send({ reason: 'ticket 9' }).expect(200);
    expect(stopped.body.status).toBe('STOPPED');
    const moved = await request(t.http)
      .post(`/api/admin/containers/${made.body.id}/transfer`)
      .set(auth)
      .send({ toCustomerId: alice.user.id, reason: 'ticket 9' })
      .expect(200);
    expect(moved.body.customerId).toBe(alice.user.id);
    await request(t.http).get(`/api/containers/${made.body.id}`).set(bearer(alice.accessToken)).expect(200);
    await request(t.http).delete(`/api/admin/containers/${made.body.id}`).set(auth).send({ reason: 'ticket 9' }).expect(204);
    await request(t.http).get(`/api/containers/${made.body.id}`).set(bearer(alice.accessToken)).expect(404);
  });

  it('reconciles with the swarm: a removed service is MISSING, one scaled to 0 behind berth is STOPPED', async () => {
    const gone = (await create(bob, { name: 'gone' }).expect(201)).body;
    const scaled = (await create(bob, { name: 'scaled' }).expect(201)).body;
    const goneRow = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: gone.id } });
    await docker.getService(goneRow.engineId!).remove();
    const scaledService = await service(scaled.id);
    await docker
      .getService(scaledService.ID)
      .update({ _query: { version: scaledService.Version?.Index }, _body: { ...scaledService.Spec, Mode: { Replicated: { Replicas: 0 } } } } as never);
    const report = await t.app.get(ReconciliationService).reconcile();
    expect(report).toMatchObject({ engineReachable: true, nodesDown: [] });
    expect(report.changes).toEqual(
      expect.arrayContaining([
        { id: gone.id, customerId: bob.user.id, from: 'RUNNING', to: 'MISSING' },
        { id: scaled.id, customerId: bob.user.id, from: 'RUNNING', to: 'STOPPED' },
      ]),
    );
  });
});

describeOnEngine('the swarm runtime with SWARM_NETWORK=per-customer', () => {
  const docker = new Docker({ socketPath: DOCKER_HOST!.replace('unix://', '') });
  let t: TestApp;

  beforeAll(async () => {
    await ensureSwarm(docker);
    t = await startTestApp({ DOCKER_HOST: DOCKER_HOST!, ...SWARM_ENV, SWARM_NETWORK: 'per-customer' });
  });

  afterAll(async () => {
    const users = (await t.prisma.user.findMany({ select: { id: true } })).map((u) => u.id);
    for (const id of users) {
      const services = await docker.listServices({ filters: { label: [`${LABEL_CUSTOMER_ID}=${id}`] } });
      await Promise.all(services.map((s) => docker.getService(s.ID).remove()));
    }
    // A network can be removed once its tasks are gone, which takes the swarm a moment.
    for (const id of users) {
      const network = docker.getNetwork(`berth-net-${id}`);
      for (let i = 0; i < 50 && (await network.remove().then(() => false, (e) => e.statusCode !== 404)); i++) await new Promise((r) => setTimeout(r, 200));
    }
    await t.close();
  });

  it('puts each customer on an internal overlay of their own, shared by their containers', async () => {
    const carol = await register(t.http);
    const dan = await register(t.http);
    const networkOf = async (user: Registered, name: string) => {
      const { body } = await request(t.http)
        .post('/api/containers')
        .set(bearer(user.accessToken))
        .send({ image: TEST_IMAGE, command: LONG_RUNNING, memoryMb: 16, cpus: 0.05, name })
        .expect(201);
      const row = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: body.id } });
      const spec = (await docker.getService(row.engineId!).inspect()).Spec as any;
      return spec.TaskTemplate.Networks.map((n: { Target: string }) => n.Target);
    };
    const [carol1, carol2, dan1] = [await networkOf(carol, 'net-a'), await networkOf(carol, 'net-b'), await networkOf(dan, 'net-a')];
    expect(carol1).toHaveLength(1);
    expect(carol2).toEqual(carol1);
    expect(dan1).not.toEqual(carol1);
    const network = await docker.getNetwork(carol1[0]).inspect();
    expect(network).toMatchObject({ Name: `berth-net-${carol.user.id}`, Driver: 'overlay', Internal: true, Attachable: false });
  });
});
