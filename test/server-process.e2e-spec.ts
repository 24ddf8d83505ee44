import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { IncomingMessage, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRegistration } from './support/factories';
import { runNode, startServer } from './support/processes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The built server (`node dist/main.js`) as operators run it. */
describe('server process', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://db/berth' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'production' }, 'JWT_ACCESS_SECRET'],
    [{ NODE_ENV: 'production', JWT_ACCESS_SECRET: 'change-me' }, 'JWT_ACCESS_SECRET'],
  ])('refuses to start with %j: one line naming %s, no stack trace', async (env, variable) => {
    const result = await runNode('dist/main.js', env);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^berth: Invalid configuration: ${variable} `));
    expect(result.stdout).toBe('');
  });

  it('says in one line when PostgreSQL cannot be reached', async () => {
    const result = await runNode('dist/main.js', { DATABASE_URL: 'postgresql://berth:x@127.0.0.1:1/berth' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^berth: Cannot use the database \(connection refused\)/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  describe('on an embedded database folder', () => {
    let dataDir: string;
    beforeEach(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'berth-data-'));
    });
    afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

    it('keeps its data across a restart, and a second process cannot open the same folder', async () => {
      const env = { DATABASE_URL: `file:${dataDir}`, JWT_ACCESS_SECRET: 'persistent-secret-for-this-test-0123456789' };
      const first = await startServer(env);
      const input = newRegistration();
      const registered = await fetch(`${first.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      expect(registered.status).toBe(201);
      const second = await runNode('dist/main.js', env);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^berth: The embedded database in .* is in use by process \d+/);
      expect(await first.stop()).toBe(0);

      const migrate = await runNode('dist/cli.js', env, ['db', 'migrate']);
      expect(migrate).toMatchObject({ code: 0, stdout: '', stderr: 'Database is up to date\n' });

      const again = await startServer(env);
      const loggedIn = await fetch(`${again.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: input.username, password: input.password }),
      });
      expect(loggedIn.status).toBe(200);
      expect(await again.stop()).toBe(0);
    });
  });

  it('drains an in-flight request on SIGTERM, refuses new ones, then exits 0', async () => {
    const server = await startServer({});
    // A request whose body is still arriving when SIGTERM lands: it must still get its answer.
    const inFlight = httpRequest(`${server.url}/api/nowhere`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    const response = once(inFlight, 'response') as Promise<[IncomingMessage]>;
    inFlight.write('{"half":');
    await sleep(300);
    const exitCode = server.stop();
    await sleep(300);
    await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
    inFlight.end('"done"}');
    const [res] = await response;
    expect(res.statusCode).toBe(404);
    expect(await exitCode).toBe(0);
  });

  it('logs each request once as JSON with its request id, without secrets', async () => {
    const server = await startServer({ LOG_LEVEL: 'info' });
    const paths = { ready: '/health/ready', api: '/api/nowhere', outside: '/elsewhere' };
    for (const [name, path] of Object.entries(paths)) {
      await fetch(`${server.url}${path}`, { headers: { 'x-request-id': `log-check-${name}`, authorization: 'Bearer s3cr3t-token' } });
    }
    await fetch(`${server.url}/api/nowhere`, {
      method: 'POST',
      headers: { 'x-request-id': 'log-check-badjson', 'content-type': 'application/json' },
      body: '{"password":',
    });
    const input = newRegistration({ displayName: 'Log Checker' });
    const registered = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-check-register' },
      body: JSON.stringify(input),
    });
    const { accessToken, user } = (await registered.json()) as { accessToken: string; user: { label: string } };
    await fetch(`${server.url}/api/users/me`, { headers: { 'x-request-id': 'log-check-me', authorization: `Bearer ${accessToken}` } });
    await server.stop();
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { req?: { id: string }; res?: { statusCode: number }; user?: string });
    for (const name of [...Object.keys(paths), 'badjson', 'register', 'me']) {
      // Exactly one access-log line; application logs made during the request carry its id too.
      const mine = lines.filter((line) => line.req?.id === `log-check-${name}` && line.res);
      expect(mine).toHaveLength(1);
    }
    expect(lines.find((line) => line.req?.id === 'log-check-badjson')?.res?.statusCode).toBe(400);
    expect(lines.find((line) => line.req?.id === 'log-check-me')?.user).toBe(user.label);
    const registeredLog = lines.find((line) => line.req?.id === 'log-check-register' && !line.res);
    expect(registeredLog).toMatchObject({ msg: 'User registered', user: user.label });
    expect(user.label).toMatch(/^Log Checker \(user_/);
    expect(server.output()).not.toContain('s3cr3t-token');
    expect(server.output()).not.toContain(input.password);
    expect(server.output()).not.toContain('$argon2');
    expect(server.output()).not.toContain(accessToken);
  });
});
