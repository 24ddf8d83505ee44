import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { bearer, createUser, login, newRegistration, register } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ JWT_ACCESS_SECRET: SECRET });
  });
  afterAll(() => t.close());

  /** Every response body of this file goes through here: passwordHash must never appear. */
  function expectNoSecrets(body: unknown): void {
    const text = JSON.stringify(body);
    expect(text).not.toContain('passwordHash');
    expect(text).not.toContain('$argon2');
  }

  describe('POST /api/auth/register', () => {
    it('creates the user with a CUID and a public id, and returns tokens', async () => {
      const input = newRegistration({ email: '  Jester.Mixed@Example.COM ', username: 'Jester_X', displayName: 'Jester' });
      const res = await request(t.http).post('/api/auth/register').send(input).expect(201);
      expectNoSecrets(res.body);
      expect(Object.keys(res.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'user']);
      expect(res.body.expiresIn).toBe(900);
      const { user } = res.body;
      expect(Object.keys(user).sort()).toEqual(
        ['createdAt', 'displayName', 'email', 'firstName', 'id', 'label', 'lastName', 'publicCustomerId', 'role', 'updatedAt', 'username'],
      );
      expect(user).toMatchObject({
        email: 'jester.mixed@example.com',
        username: 'jester_x',
        displayName: 'Jester',
        firstName: null,
        role: 'USER',
        label: `Jester (jester_x) • ${user.id.slice(0, 9)}`,
      });
      expect(user.id).toMatch(/^c[a-z0-9]{24}$/);
      expect(user.publicCustomerId).toMatch(/^u\d{3,}$/);
    });

    it('ignores id, role, publicCustomerId and passwordHash sent by the client', async () => {
      const input = newRegistration({
        id: 'u-dev-001',
        role: 'ADMIN',
        publicCustomerId: 'u000',
        passwordHash: 'not-a-hash',
        customerId: 'u-dev-001',
      });
      const res = await request(t.http).post('/api/auth/register').send(input).expect(201);
      expect(res.body.user.id).not.toBe('u-dev-001');
      expect(res.body.user.role).toBe('USER');
      expect(res.body.user.publicCustomerId).not.toBe('u000');
      const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: res.body.user.id } });
      expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
      await login(t.http, input.username as string, input.password as string);
    });

    it('answers 409 naming the taken field, and burns no public id', async () => {
      const first = await register(t.http);
      const before = await t.prisma.counter.findUniqueOrThrow({ where: { name: 'publicCustomerId' } });

      const sameEmail = await request(t.http)
        .post('/api/auth/register')
        .send(newRegistration({ email: first.user.email.toUpperCase() }))
        .expect(409);
      expect(sameEmail.body).toMatchObject({ code: 'EMAIL_TAKEN', fields: [{ field: 'email' }] });

      const sameUsername = await request(t.http)
        .post('/api/auth/register')
        .send(newRegistration({ username: first.user.username }))
        .expect(409);
      expect(sameUsername.body).toMatchObject({ code: 'USERNAME_TAKEN', fields: [{ field: 'username' }] });

      expect(await t.prisma.counter.findUniqueOrThrow({ where: { name: 'publicCustomerId' } })).toEqual(before);
      const next = await register(t.http);
      expect(Number(next.user.publicCustomerId.slice(1))).toBe(before.value + 1);
    });

    it.each([
      ['missing everything', {}, ['email', 'username', 'password']],
      ['wrong types', { email: 42, username: ['a'], password: { x: 1 } }, ['email', 'username', 'password']],
      ['bad email', { email: 'not-an-email' }, ['email']],
      ['short username', { username: 'ab' }, ['username']],
      ['username starting with a dot', { username: '.jester' }, ['username']],
      ['username with spaces', { username: 'jes ter' }, ['username']],
      ['long username', { username: 'a'.repeat(33) }, ['username']],
      ['short password', { password: 'short' }, ['password']],
      ['huge password', { password: 'p'.repeat(129) }, ['password']],
      ['huge display name', { displayName: 'd'.repeat(65) }, ['displayName']],
      ['control characters', { firstName: 'a\u0000b' }, ['firstName']],
      ['huge email', { email: `${'e'.repeat(300)}@example.com` }, ['email']],
    ])('refuses %s with 400 naming the fields', async (_case, overrides, fields) => {
      const body = Object.keys(overrides).length === 0 ? {} : newRegistration(overrides);
      const count = await t.prisma.user.count();
      const res = await request(t.http).post('/api/auth/register').send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect([...new Set(res.body.fields.map((f: { field: string }) => f.field))].sort()).toEqual([...fields].sort());
      expect(await t.prisma.user.count()).toBe(count);
    });

    it('refuses a JSON array, a string and invalid JSON with 400', async () => {
      await request(t.http).post('/api/auth/register').send([newRegistration()]).expect(400);
      await request(t.http).post('/api/auth/register').set('content-type', 'application/json').send('"text"').expect(400);
      const res = await request(t.http).post('/api/auth/register').set('content-type', 'application/json').send('{"email":').expect(400);
      expect(res.body.code).toBe('INVALID_JSON');
    });
  });

  describe('POST /api/auth/login', () => {
    it('accepts username or email, in any case', async () => {
      const reg = await register(t.http);
      const byName = await login(t.http, reg.user.username.toUpperCase(), reg.password);
      expect(byName.user.id).toBe(reg.user.id);
      const byEmail = await login(t.http, ` ${reg.user.email} `, reg.password);
      expect(byEmail.user.id).toBe(reg.user.id);
      expectNoSecrets(byEmail);
      expect(byEmail.accessToken).not.toBe(reg.accessToken);
    });

    it('answers an unknown user and a wrong password with the same 401', async () => {
      const reg = await register(t.http);
      const wrong = await request(t.http).post('/api/auth/login').send({ login: reg.user.username, password: 'wrong-password-1' }).expect(401);
      const unknown = await request(t.http).post('/api/auth/login').send({ login: 'nobody-here', password: 'wrong-password-1' }).expect(401);
      const strip = ({ requestId: _ignored, ...rest }: Record<string, unknown>) => rest;
      expect(strip(wrong.body)).toEqual(strip(unknown.body));
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    });

    it('tells a disabled user with the right password 403 ACCOUNT_DISABLED, and nobody else', async () => {
      const { user, password } = await createUser(t.prisma, { disabled: true });
      const right = await request(t.http).post('/api/auth/login').send({ login: user.username, password }).expect(403);
      expect(right.body.code).toBe('ACCOUNT_DISABLED');
      const wrong = await request(t.http).post('/api/auth/login').send({ login: user.username, password: 'wrong-password-1' }).expect(401);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
      expect(await t.prisma.session.count({ where: { userId: user.id } })).toBe(0);
    });

    it('refuses bad input with 400', async () => {
      const res = await request(t.http).post('/api/auth/login').send({ login: 5, extra: true }).expect(400);
      expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['login', 'password']);
    });
  });

  describe('access tokens', () => {
    let reg: Awaited<ReturnType<typeof register>>;
    beforeAll(async () => {
      reg = await register(t.http);
    });

    it('GET /api/auth/me and /api/users/me return the caller', async () => {
      for (const path of ['/api/auth/me', '/api/users/me']) {
        const res = await request(t.http).get(path).set(bearer(reg.accessToken)).expect(200);
        expect(res.body).toMatchObject({ id: reg.user.id, username: reg.user.username });
        expectNoSecrets(res.body);
      }
    });

    it('refuses a missing, malformed, forged, expired or alg:none token with 401', async () => {
      const claims = JSON.parse(Buffer.from(reg.accessToken.split('.')[1], 'base64url').toString());
      const forged = new JwtService({ secret: 'another-secret-another-secret-another-secret' }).sign({ sub: claims.sub, sid: claims.sid });
      const expired = new JwtService({ secret: SECRET }).sign({ sub: claims.sub, sid: claims.sid, exp: Math.floor(Date.now() / 1000) - 10 });
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: claims.sub, sid: claims.sid, exp: claims.exp })}.`;
      const hs512 = new JwtService({ secret: SECRET }).sign({ sub: claims.sub, sid: claims.sid }, { algorithm: 'HS512' });
      const otherSession = new JwtService({ secret: SECRET }).sign({ sub: claims.sub, sid: 'c00000000000000000000000' });
      const otherUser = new JwtService({ secret: SECRET }).sign({ sub: 'c11111111111111111111111', sid: claims.sid });

      const attempts: Record<string, Record<string, string>> = {
        missing: {},
        'not bearer': { authorization: `Basic ${reg.accessToken}` },
        garbage: bearer('not.a.jwt'),
        forged: bearer(forged),
        expired: bearer(expired),
        'alg none': bearer(none),
        'alg HS512': bearer(hs512),
        'unknown session': bearer(otherSession),
        'sub of another user': bearer(otherUser),
      };
      for (const [name, headers] of Object.entries(attempts)) {
        const res = await request(t.http).get('/api/auth/me').set(headers);
        expect({ name, status: res.status, code: res.body.code }).toEqual({ name, status: 401, code: 'UNAUTHORIZED' });
      }
      await request(t.http).get('/api/auth/me').set(bearer(reg.accessToken)).expect(200);
    });

    it('stops working at once for a disabled or deleted user', async () => {
      const victim = await register(t.http);
      await request(t.http).get('/api/users/me').set(bearer(victim.accessToken)).expect(200);
      await t.prisma.user.update({ where: { id: victim.user.id }, data: { disabledAt: new Date() } });
      await request(t.http).get('/api/users/me').set(bearer(victim.accessToken)).expect(401);
      await request(t.http).post('/api/auth/refresh').send({ refreshToken: victim.refreshToken }).expect(401);

      const gone = await register(t.http);
      await t.prisma.user.delete({ where: { id: gone.user.id } });
      await request(t.http).get('/api/users/me').set(bearer(gone.accessToken)).expect(401);
    });
  });

  describe('refresh tokens', () => {
    it('rotate: the new pair works, the old refresh token does not', async () => {
      const reg = await register(t.http);
      const first = await request(t.http).post('/api/auth/refresh').send({ refreshToken: reg.refreshToken }).expect(200);
      expectNoSecrets(first.body);
      expect(first.body.refreshToken).not.toBe(reg.refreshToken);
      expect(first.body.user.id).toBe(reg.user.id);
      await request(t.http).get('/api/auth/me').set(bearer(first.body.accessToken)).expect(200);
      const second = await request(t.http).post('/api/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(200);
      await request(t.http).get('/api/auth/me').set(bearer(second.body.accessToken)).expect(200);
    });

    it('a reused refresh token ends the whole session', async () => {
      const reg = await register(t.http);
      const rotated = await request(t.http).post('/api/auth/refresh').send({ refreshToken: reg.refreshToken }).expect(200);
      const reuse = await request(t.http).post('/api/auth/refresh').send({ refreshToken: reg.refreshToken }).expect(401);
      expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
      // The legitimate holder's tokens from that session are dead too.
      await request(t.http).post('/api/auth/refresh').send({ refreshToken: rotated.body.refreshToken }).expect(401);
      await request(t.http).get('/api/auth/me').set(bearer(rotated.body.accessToken)).expect(401);
      await request(t.http).get('/api/auth/me').set(bearer(reg.accessToken)).expect(401);
      // Other sessions of the same user are untouched.
      const other = await login(t.http, reg.user.username, reg.password);
      await request(t.http).get('/api/auth/me').set(bearer(other.accessToken)).expect(200);
    });

    it('of two concurrent refreshes with one token, at most one succeeds', async () => {
      const reg = await register(t.http);
      const results = await Promise.all(
        [1, 2, 3].map(() => request(t.http).post('/api/auth/refresh').send({ refreshToken: reg.refreshToken })),
      );
      expect(results.filter((res) => res.status === 200).length).toBeLessThanOrEqual(1);
      expect(results.filter((res) => res.status === 401).length).toBeGreaterThanOrEqual(2);
    });

    it('refuses unknown and malformed refresh tokens', async () => {
      expect((await request(t.http).post('/api/auth/refresh').send({ refreshToken: 'rt_nope' }).expect(401)).body.code).toBe(
        'INVALID_REFRESH_TOKEN',
      );
      await request(t.http).post('/api/auth/refresh').send({ refreshToken: 12 }).expect(400);
      await request(t.http).post('/api/auth/refresh').send({ refreshToken: 'x'.repeat(10_000) }).expect(400);
    });
  });

  describe('POST /api/auth/logout', () => {
    it("ends this session's access and refresh tokens at once, and only this session's", async () => {
      const reg = await register(t.http);
      const other = await login(t.http, reg.user.username, reg.password);
      await request(t.http).post('/api/auth/logout').set(bearer(reg.accessToken)).expect(204);
      await request(t.http).get('/api/auth/me').set(bearer(reg.accessToken)).expect(401);
      await request(t.http).post('/api/auth/refresh').send({ refreshToken: reg.refreshToken }).expect(401);
      await request(t.http).post('/api/auth/logout').set(bearer(reg.accessToken)).expect(401);
      await request(t.http).get('/api/auth/me').set(bearer(other.accessToken)).expect(200);
    });
  });

  describe('/api/users/me', () => {
    it('PATCH changes the names only', async () => {
      const reg = await register(t.http);
      const res = await request(t.http)
        .patch('/api/users/me')
        .set(bearer(reg.accessToken))
        .send({ displayName: '  Court Jester ', firstName: 'Jo', role: 'ADMIN', email: 'evil@example.com', id: 'u000' })
        .expect(200);
      expect(res.body).toMatchObject({
        id: reg.user.id,
        email: reg.user.email,
        role: 'USER',
        displayName: 'Court Jester',
        firstName: 'Jo',
        label: `Court Jester (${reg.user.username}) • ${reg.user.id.slice(0, 9)}`,
      });
      expectNoSecrets(res.body);
      const cleared = await request(t.http).patch('/api/users/me').set(bearer(reg.accessToken)).send({ displayName: '' }).expect(200);
      expect(cleared.body.displayName).toBeNull();
      expect(cleared.body.firstName).toBe('Jo');
      await request(t.http).patch('/api/users/me').set(bearer(reg.accessToken)).send({ lastName: 7 }).expect(400);
    });

    it('POST password: checks the current one, ends every other session, keeps this one', async () => {
      const reg = await register(t.http);
      const other = await login(t.http, reg.user.username, reg.password);
      const wrong = await request(t.http)
        .post('/api/users/me/password')
        .set(bearer(reg.accessToken))
        .send({ currentPassword: 'not-the-password', newPassword: 'a-brand-new-password' })
        .expect(400);
      expect(wrong.body).toMatchObject({ code: 'INVALID_CURRENT_PASSWORD', fields: [{ field: 'currentPassword' }] });
      await request(t.http).get('/api/auth/me').set(bearer(other.accessToken)).expect(200);

      await request(t.http)
        .post('/api/users/me/password')
        .set(bearer(reg.accessToken))
        .send({ currentPassword: reg.password, newPassword: 'a-brand-new-password' })
        .expect(204);
      await request(t.http).get('/api/auth/me').set(bearer(other.accessToken)).expect(401);
      await request(t.http).post('/api/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
      await request(t.http).get('/api/auth/me').set(bearer(reg.accessToken)).expect(200);
      await request(t.http).post('/api/auth/login').send({ login: reg.user.username, password: reg.password }).expect(401);
      await login(t.http, reg.user.username, 'a-brand-new-password');
    });
  });

  describe('public customer ids', () => {
    it('50 concurrent registrations get 50 distinct, consecutive ids', async () => {
      const before = (await t.prisma.counter.findUniqueOrThrow({ where: { name: 'publicCustomerId' } })).value;
      const results = await Promise.all(Array.from({ length: 50 }, () => register(t.http)));
      const numbers = results.map((r) => Number(r.user.publicCustomerId.slice(1))).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => before + 1 + i));
    });
  });
});

describe('login throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES_PER_LOGIN: '3', LOGIN_MAX_FAILURES_PER_IP: '6', LOGIN_THROTTLE_WINDOW: '60s' });
  });
  afterAll(() => t.close());

  it('limits failures per login with 429 and Retry-After, even for the right password', async () => {
    const reg = await register(t.http);
    for (let i = 0; i < 3; i++) {
      await request(t.http).post('/api/auth/login').send({ login: reg.user.username, password: 'wrong-password-1' }).expect(401);
    }
    const blocked = await request(t.http).post('/api/auth/login').send({ login: reg.user.username, password: reg.password }).expect(429);
    expect(blocked.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('does not count successful logins, and limits failures per client address', async () => {
    const reg = await register(t.http);
    for (let i = 0; i < 8; i++) await login(t.http, reg.user.username, reg.password);
    await t.prisma.loginThrottle.deleteMany();
    for (let i = 0; i < 6; i++) {
      await request(t.http).post('/api/auth/login').send({ login: `nobody-${i}`, password: 'wrong-password-1' }).expect(401);
    }
    await request(t.http).post('/api/auth/login').send({ login: reg.user.username, password: reg.password }).expect(429);
  });

  it('starts a new window when the old one has run out', async () => {
    await t.prisma.loginThrottle.deleteMany();
    const reg = await register(t.http);
    for (let i = 0; i < 3; i++) {
      await request(t.http).post('/api/auth/login').send({ login: reg.user.username, password: 'wrong-password-1' }).expect(401);
    }
    await t.prisma.loginThrottle.updateMany({ data: { windowStart: new Date(Date.now() - 61_000) } });
    await login(t.http, reg.user.username, reg.password);
  });
});
