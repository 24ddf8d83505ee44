import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import request from 'supertest';
import { ReconciliationService } from '../../src/containers/reconciliation.service';
import { describeIf } from '../support/describe-if';
import { LONG_RUNNING, TEST_IMAGE } from '../support/engine';
import { bearer, register, Registered } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Three dockerd nodes in network namespaces (scripts/swarm-lab.sh): one manager, two workers.
 * Needs root, `ip netns`, dockerd and busybox-static; says so in one line and skips otherwise.
 */
const LAB = join(__dirname, '..', '..', 'scripts', 'swarm-lab.sh');
const missing =
  process.getuid?.() !== 0
    ? 'not root'
    : spawnSync('ip', ['netns', 'list']).status !== 0
      ? '`ip netns` is not available'
      : spawnSync('sh', ['-c', 'command -v dockerd']).status !== 0 || !existsSync('/bin/busybox')
        ? 'dockerd or busybox-static is not installed (scripts/test-dockerd.sh installs them)'
        : undefined;

const lab = (...args: string[]) => execFileSync(LAB, args, { encoding: 'utf8', timeout: 120_000 }).trim();

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describeIf(!missing, missing ?? '')('berth on a three-node swarm (one manager, two workers)', () => {
  let docker: Docker;
  let t: TestApp;
  let carol: Registered;

  beforeAll(async () => {
    const socket = lab('up');
    docker = new Docker({ socketPath: socket });
    t = await startTestApp({
      DOCKER_HOST: `unix://${socket}`,
      CONTAINER_RUNTIME: 'swarm',
      CONTAINER_IMAGES: TEST_IMAGE,
      CONTAINER_STOP_TIMEOUT: '2s',
      SWARM_RESTART_DELAY_SECONDS: '0',
      QUOTA_MAX_CONTAINERS: '10',
    });
    carol = await register(t.http);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    lab('down'); // daemons, mounts, namespaces, links and files, whatever happened above
  }, 120_000);

  /** Node id -> hostname, and where each container's running task is. */
  async function placement(ids: string[]) {
    const nodes = new Map((await docker.listNodes()).map((n: any) => [n.ID, n.Description.Hostname as string]));
    const rows = await t.prisma.containerInstance.findMany({ where: { id: { in: ids } } });
    const where = new Map<string, string[]>();
    for (const row of rows) {
      const tasks = await docker.listTasks({ filters: { service: [row.engineId!], 'desired-state': ['running'] } });
      where.set(row.id, tasks.filter((task: any) => task.Status.State === 'running').map((task: any) => nodes.get(task.NodeID)!));
    }
    return where;
  }

  it('spreads six containers over the nodes, reports a dead worker with its containers, and sees them RUNNING again', async () => {
    const ready = await request(t.http).get('/health/ready').expect(200);
    expect(ready.body.engine).toMatchObject({ status: 'up', runtime: 'swarm', cluster: { managers: 1, nodesReady: 3, nodesDown: 0 } });

    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request(t.http)
        .post('/api/containers')
        .set(bearer(carol.accessToken))
        .send({ name: `spread-${i}`, image: TEST_IMAGE, command: LONG_RUNNING, memoryMb: 16, cpus: 0.05 })
        .expect(201);
      expect(res.body.status).toBe('RUNNING');
      ids.push(res.body.id);
    }
    const before = await placement(ids);
    const hosts = [...before.values()].map((nodes) => nodes[0]);
    expect(new Set(hosts)).toEqual(new Set(['berth-lab-n1', 'berth-lab-n2', 'berth-lab-n3']));

    // A worker's machine dies: every process of node n3 at once.
    const onN3 = ids.filter((id) => before.get(id)![0] === 'berth-lab-n3').sort();
    lab('kill', 'n3');
    const down = await until('n3 to be seen down', async () => {
      const res = await request(t.http).get('/health/ready');
      return res.body.engine.cluster?.nodesDown === 1 ? res.body.engine.cluster : undefined;
    });
    expect(down.nodes).toEqual(expect.arrayContaining([expect.objectContaining({ hostname: 'berth-lab-n3', state: 'down' })]));

    const report = await t.app.get(ReconciliationService).reconcile();
    expect(report.nodesDown).toEqual([
      expect.objectContaining({ hostname: 'berth-lab-n3', state: 'down', containers: onN3.map((id) => ({ id, customerId: carol.user.id })) }),
    ]);

    // The swarm reschedules them on n1 and n2; berth sees every one RUNNING there.
    const after = await until('every container running on a live node', async () => {
      const where = await placement(ids);
      return [...where.values()].every((nodes) => nodes.length === 1 && nodes[0] !== 'berth-lab-n3') ? where : undefined;
    });
    expect(after.size).toBe(6);
    await t.app.get(ReconciliationService).reconcile();
    const list = await request(t.http).get('/api/containers').set(bearer(carol.accessToken)).expect(200);
    expect(list.body.items.map((c: { status: string }) => c.status)).toEqual(Array(6).fill('RUNNING'));
    // Logs of a rescheduled container come through the manager from whichever node runs it now.
    const logs = await request(t.http).get(`/api/containers/${onN3[0]}/logs`).set(bearer(carol.accessToken)).expect(200);
    expect(logs.text).toContain('started');
  });

  it('stats of a container on another node are refused plainly (501), not guessed', async () => {
    const where = await placement((await t.prisma.containerInstance.findMany({ where: { customerId: carol.user.id } })).map((r) => r.id));
    const remote = [...where.entries()].find(([, nodes]) => nodes[0] !== 'berth-lab-n1')![0];
    const res = await request(t.http).get(`/api/containers/${remote}/stats`).set(bearer(carol.accessToken)).expect(501);
    expect(res.body).toMatchObject({ code: 'ENGINE_UNSUPPORTED', message: expect.stringContaining('another node') });
  });

  it('an unreachable manager changes nothing', async () => {
    const statuses = async () => (await t.prisma.containerInstance.findMany({ orderBy: { id: 'asc' } })).map((r) => r.status);
    const before = await statuses();
    lab('kill', 'n1');
    const report = await t.app.get(ReconciliationService).reconcile();
    expect(report).toMatchObject({ engineReachable: false, changes: [] });
    expect(await statuses()).toEqual(before);
    const ready = await request(t.http).get('/health/ready').expect(200);
    expect(ready.body.engine).toMatchObject({ status: 'down', runtime: 'swarm' });
  });
});
