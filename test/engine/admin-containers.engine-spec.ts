import Docker from 'dockerode';
import request from 'supertest';
import { LABEL_CUSTOMER_ID } from '../../src/containers/runtime/container-runtime';
import { describeOnEngine, DOCKER_HOST, LONG_RUNNING, TEST_IMAGE } from '../support/engine';
import { bearer, createUser, login, register, Registered } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

describeOnEngine('AdminContainersController on a real engine', () => {
  const docker = new Docker({ socketPath: DOCKER_HOST!.replace('unix://', '') });
  let t: TestApp;
  let admin: Registered;
  let bob: Registered;

  beforeAll(async () => {
    t = await startTestApp({ DOCKER_HOST: DOCKER_HOST!, CONTAINER_IMAGES: TEST_IMAGE, CONTAINER_STOP_TIMEOUT: '2s', QUOTA_MAX_CONTAINERS: '2' });
    const root = await createUser(t.prisma, { role: 'ADMIN', displayName: 'Root' });
    admin = await login(t.http, root.user.username, root.password);
    bob = await register(t.http, { displayName: 'Bob' });
  });

  afterAll(async () => {
    const users = new Set((await t.prisma.user.findMany({ select: { id: true } })).map((u) => u.id));
    const ours = await docker.listContainers({ all: true, filters: { label: [LABEL_CUSTOMER_ID] } });
    await Promise.all(ours.filter((c) => users.has(c.Labels[LABEL_CUSTOMER_ID])).map((c) => docker.getContainer(c.Id).remove({ force: true })));
    await t.close();
  });

  function adminCreate(body: Record<string, unknown>) {
    return request(t.http)
      .post('/api/admin/containers')
      .set(bearer(admin.accessToken))
      .send({ image: TEST_IMAGE, command: LONG_RUNNING, memoryMb: 16, cpus: 0.05, reason: 'ticket 7', ...body });
  }

  it('creates for a customer: the customer sees it, the admin does not, the audit names both', async () => {
    const res = await adminCreate({ customerId: bob.user.id, name: 'from-support' }).expect(201);
    expect(res.body).toMatchObject({ customerId: bob.user.id, status: 'RUNNING' });
    const row = await t.prisma.containerInstance.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.createdById).toBe(admin.user.id);

    const bobs = await request(t.http).get('/api/containers').set(bearer(bob.accessToken)).expect(200);
    expect(bobs.body.items.map((c: { id: string }) => c.id)).toContain(res.body.id);
    const admins = await request(t.http).get('/api/containers').set(bearer(admin.accessToken)).expect(200);
    expect(admins.body.items).toEqual([]);
    await request(t.http).get(`/api/containers/${res.body.id}`).set(bearer(admin.accessToken)).expect(404);

    const event = await t.prisma.auditEvent.findFirstOrThrow({ where: { action: 'container.create', targetId: res.body.id } });
    expect(event).toMatchObject({ actorId: admin.user.id, actorLabel: admin.user.label, customerId: bob.user.id, reason: 'ticket 7' });
    expect(event.data).toMatchObject({ createdById: admin.user.id, onBehalfOf: true, overrideQuota: false });
  });

  it("applies the customer's quota unless overridden, and records the override", async () => {
    await adminCreate({ customerId: bob.user.id, name: 'second' }).expect(201);
    const over = await adminCreate({ customerId: bob.user.id, name: 'third' }).expect(403);
    expect(over.body.code).toBe('QUOTA_EXCEEDED');
    const forced = await adminCreate({ customerId: bob.user.id, name: 'third', overrideQuota: true }).expect(201);
    const event = await t.prisma.auditEvent.findFirstOrThrow({ where: { action: 'container.create', targetId: forced.body.id } });
    expect(event.data).toMatchObject({ overrideQuota: true });
  });

  it('lifecycle and delete through admin routes are audited with the admin as actor and the owner as customer', async () => {
    const { body } = await request(t.http)
      .get('/api/admin/containers?customerId=' + bob.user.id)
      .set(bearer(admin.accessToken))
      .expect(200)
      .then((res) => ({ body: res.body.items.find((c: { name: string }) => c.name === 'second') }));
    expect(body).toMatchObject({ ownerKnown: true, ownerLabel: bob.user.label });
    await request(t.http).post(`/api/admin/containers/${body.id}/stop`).set(bearer(admin.accessToken)).send({ reason: 'abuse' }).expect(200);
    await request(t.http).post(`/api/admin/containers/${body.id}/start`).set(bearer(admin.accessToken)).send({}).expect(200);
    await request(t.http).delete(`/api/admin/containers/${body.id}`).set(bearer(admin.accessToken)).send({ reason: 'cleanup' }).expect(204);
    const events = await t.prisma.auditEvent.findMany({ where: { targetId: body.id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.action, e.actorId, e.customerId, e.reason])).toEqual([
      ['container.create', admin.user.id, bob.user.id, 'ticket 7'],
      ['container.stop', admin.user.id, bob.user.id, 'abuse'],
      ['container.start', admin.user.id, bob.user.id, null],
      ['container.delete', admin.user.id, bob.user.id, 'cleanup'],
    ]);
  });

  it("transfer moves visibility to the new owner, under the new owner's quota", async () => {
    const carol = await register(t.http);
    // bob is at his quota of 2 by now: the override lets support add one anyway.
    const { body } = await adminCreate({ customerId: bob.user.id, name: 'moving', overrideQuota: true }).expect(201);
    const bad = await request(t.http)
      .post(`/api/admin/containers/${body.id}/transfer`)
      .set(bearer(admin.accessToken))
      .send({ toCustomerId: carol.user.username, reason: 'account merge' })
      .expect(400);
    expect(bad.body.code).toBe('INVALID_CUSTOMER_ID');

    const moved = await request(t.http)
      .post(`/api/admin/containers/${body.id}/transfer`)
      .set(bearer(admin.accessToken))
      .send({ toCustomerId: carol.user.id, reason: 'account merge' })
      .expect(200);
    expect(moved.body.customerId).toBe(carol.user.id);
    await request(t.http).get(`/api/containers/${body.id}`).set(bearer(bob.accessToken)).expect(404);
    await request(t.http).get(`/api/containers/${body.id}`).set(bearer(carol.accessToken)).expect(200);
    await request(t.http).post(`/api/containers/${body.id}/stop`).set(bearer(carol.accessToken)).expect(200);
    const event = await t.prisma.auditEvent.findFirstOrThrow({ where: { action: 'container.transfer', targetId: body.id } });
    expect(event).toMatchObject({ actorId: admin.user.id, customerId: carol.user.id, reason: 'account merge' });
    expect(event.data).toMatchObject({ fromCustomerId: bob.user.id, toCustomerId: carol.user.id });

    // carol's quota is 2: a third container cannot be transferred to her without an override.
    await adminCreate({ customerId: carol.user.id, name: 'c2' }).expect(201);
    const extra = (await adminCreate({ customerId: bob.user.id, name: 'extra', overrideQuota: true }).expect(201)).body;
    const refused = await request(t.http)
      .post(`/api/admin/containers/${extra.id}/transfer`)
      .set(bearer(admin.accessToken))
      .send({ toCustomerId: carol.user.id, reason: 'merge' })
      .expect(403);
    expect(refused.body.code).toBe('QUOTA_EXCEEDED');
  });

  it("records a customer client's attempt to send customerId", async () => {
    const dave = await register(t.http);
    await request(t.http)
      .post('/api/containers')
      .set(bearer(dave.accessToken))
      .send({ name: 'spoof', image: TEST_IMAGE, command: LONG_RUNNING, memoryMb: 16, cpus: 0.05, customerId: 'u-dev-001' })
      .expect(201);
    const event = await t.prisma.auditEvent.findFirstOrThrow({ where: { action: 'container.owner_field_ignored', actorId: dave.user.id } });
    expect(event.customerId).toBe(dave.user.id);
    expect(event.data).toMatchObject({ suppliedCustomerId: '"u-dev-001"' });
    const verify = await request(t.http).get('/api/admin/audit/verify').set(bearer(admin.accessToken)).expect(200);
    expect(verify.body.ok).toBe(true);
  });
});
