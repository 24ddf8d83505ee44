import { announcePostgresSkip, createTestDatabase, describeOnPostgres, TestDatabase } from './support/postgres';
import { ServerProcess, startServer } from './support/processes';
import { newRegistration } from './support/factories';

async function post(server: ServerProcess, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

announcePostgresSkip('two-process tests in multi-process.e2e-spec.ts');
describeOnPostgres('two berth processes on one PostgreSQL', () => {
  let db: TestDatabase;
  let servers: ServerProcess[];
  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, JWT_ACCESS_SECRET: 'shared-secret-for-both-processes-0123456789', LOGIN_MAX_FAILURES_PER_LOGIN: '3' };
    servers = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    await Promise.all((servers ?? []).map((server) => server.stop()));
    await db?.drop();
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

  it('a token from one process works on the other, and logout on one ends it on both', async () => {
    const reg = await post(servers[0], '/api/auth/register', newRegistration());
    const headers = { authorization: `Bearer ${reg.body.accessToken}` };
    expect((await fetch(`${servers[1].url}/api/auth/me`, { headers })).status).toBe(200);
    expect((await fetch(`${servers[1].url}/api/auth/logout`, { method: 'POST', headers })).status).toBe(204);
    expect((await fetch(`${servers[0].url}/api/auth/me`, { headers })).status).toBe(401);
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
