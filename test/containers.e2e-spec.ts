import request from 'supertest';
import { CONTAINER_ID_ROUTES } from './support/container-routes';
import { bearer, register, Registered } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Container routes without an engine (test-app points DOCKER_HOST at nothing): input checks,
 * ownership and the "engine down" path. test/engine/containers.engine-spec.ts covers the rest.
 */
describe('containers without an engine', () => {
  let t: TestApp;
  let alice: Registered;
  beforeAll(async () => {
    t = await startTestApp({ CONTAINER_IMAGES: 'localhost/busybox:latest', CONTAINER_MAX_MEMORY_MB: '512', CONTAINER_MAX_CPUS: '1' });
    alice = await register(t.http);
  });
  afterAll(() => t.close());

  const valid = { name: 'web-1', image: 'localhost/busybox:latest' };

  it.each([
    ['missing fields', {}, ['image', 'name']],
    ['wrong types', { name: 5, image: true, command: 'echo hi', env: ['A=1'], memoryMb: '64', cpus: 'one' }, ['command', 'cpus', 'env', 'image', 'memoryMb', 'name']],
    ['bad name', { ...valid, name: 'Web_1' }, ['name']],
    ['one-letter name', { ...valid, name: 'w' }, ['name']],
    ['name too long', { ...valid, name: 'a'.repeat(64) }, ['name']],
    ['image not allowed', { ...valid, image: 'docker.io/library/nginx:latest' }, ['image']],
    ['command of numbers', { ...valid, command: [1, 2] }, ['command']],
    ['env with a number value', { ...valid, env: { A: 1 } }, ['env']],
    ['env with a bad name', { ...valid, env: { 'A-B': 'x' } }, ['env']],
    ['memory below the engine minimum', { ...valid, memoryMb: 5 }, ['memoryMb']],
    ['memory above the maximum', { ...valid, memoryMb: 513 }, ['memoryMb']],
    ['fractional memory', { ...valid, memoryMb: 64.5 }, ['memoryMb']],
    ['cpus below 0.01', { ...valid, cpus: 0.001 }, ['cpus']],
    ['cpus above the maximum', { ...valid, cpus: 2 }, ['cpus']],
    ['huge command', { ...valid, command: Array(65).fill('x') }, ['command']],
  ])('POST /api/containers refuses %s with 400 naming the fields, writing nothing', async (_case, body, fields) => {
    const res = await request(t.http).post('/api/containers').set(bearer(alice.accessToken)).send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect([...new Set(res.body.fields.map((f: { field: string }) => f.field))].sort()).toEqual(fields);
    expect(await t.prisma.containerInstance.count()).toBe(0);
  });

  it('answers 503 ENGINE_UNAVAILABLE when the engine is down, leaving nothing behind', async () => {
    const res = await request(t.http)
      .post('/api/containers')
      .set(bearer(alice.accessToken))
      .send({ ...valid, customerId: 'u-dev-001' })
      .expect(503);
    expect(res.body.code).toBe('ENGINE_UNAVAILABLE');
    expect(await t.prisma.containerInstance.count()).toBe(0);
    const list = await request(t.http).get('/api/containers').set(bearer(alice.accessToken)).expect(200);
    expect(list.body).toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
  });

  it('answers unknown and other customers\' ids with the same 404, and reads work without the engine', async () => {
    const bob = await register(t.http);
    const row = await t.prisma.containerInstance.create({
      data: {
        customerId: bob.user.id,
        createdById: bob.user.id,
        name: 'bobs',
        activeName: 'bobs',
        image: 'localhost/busybox:latest',
        memoryMb: 64,
        cpus: 0.25,
        status: 'STOPPED',
        engineId: 'deadbeef',
      },
    });
    for (const id of [row.id, 'cnotacontainer0000000000', 'x'.repeat(500)]) {
      for (const [method, path] of CONTAINER_ID_ROUTES) {
        const res = await request(t.http)[method](`/api/containers/${id}${path}`).set(bearer(alice.accessToken));
        expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 404, code: 'NOT_FOUND' });
      }
    }
    expect(await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
    const own = await request(t.http).get(`/api/containers/${row.id}`).set(bearer(bob.accessToken)).expect(200);
    expect(own.body).toMatchObject({ id: row.id, customerId: bob.user.id, status: 'STOPPED' });
    expect(own.body.env).toBeUndefined();
    // The list reads straight from the driver: the same record, times included, in any local time zone.
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const list = await request(t.http).get('/api/containers').set(bearer(bob.accessToken)).expect(200);
      expect(list.body).toEqual({ items: [own.body], total: 1, page: 1, pageSize: 20 });
      expect(list.body.items[0].createdAt).toBe(row.createdAt.toISOString());
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    const down = await request(t.http).post(`/api/containers/${row.id}/stop`).set(bearer(bob.accessToken)).expect(503);
    expect(down.body.code).toBe('ENGINE_UNAVAILABLE');
  });

  it('validates list and logs queries', async () => {
    for (const query of ['status=DELETED', 'status=nope', 'page=0', 'page=abc', 'pageSize=101', 'pageSize=0']) {
      const res = await request(t.http).get(`/api/containers?${query}`).set(bearer(alice.accessToken));
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });
});
