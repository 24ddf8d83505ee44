import type { AuditService } from '../audit/audit.service';
import type { PrismaService } from '../prisma/prisma.service';
import type { AccountsService } from './accounts.service';
import { AuthService } from './auth.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import type { SessionsService } from './sessions.service';

/** Unit level: the database and audit log are stubbed, the hasher is real argon2id. */
describe('AuthService.login', () => {
  const hasher = new PasswordHasher();
  afterAll(() => hasher.onModuleDestroy());
  let users: Map<string, { id: string; username: string; passwordHash: string; disabledAt: Date | null }>;
  let service: AuthService;
  let verifyCalls: string[];

  beforeEach(async () => {
    users = new Map([['alice', { id: 'c1', username: 'alice', passwordHash: await hasher.hash('correct-horse-1'), disabledAt: null }]]);
    verifyCalls = [];
    const spyHasher = Object.assign(Object.create(hasher), {
      verify: (hash: string, password: string) => {
        verifyCalls.push(hash);
        return hasher.verify(hash, password);
      },
    }) as PasswordHasher;
    const prisma = {
      user: { findUnique: async ({ where }: { where: { username?: string } }) => users.get(where.username ?? '') ?? null },
      $transaction: async (work: (tx: unknown) => Promise<unknown>) => work({}),
    } as unknown as PrismaService;
    const throttle = {
      assertAllowed: async () => undefined,
      recordFailure: async () => undefined,
      recordSuccess: async () => undefined,
    } as unknown as LoginThrottleService;
    const sessions = { start: async () => ({ accessToken: 'a', refreshToken: 'r', expiresIn: 900 }) } as unknown as SessionsService;
    const audit = { record: async () => undefined, recordAlone: async () => undefined } as unknown as AuditService;
    service = new AuthService(prisma, spyHasher, sessions, throttle, audit, {} as AccountsService);
  });

  it('checks a real argon2id hash even when the login names nobody, so both failures cost the same', async () => {
    await expect(service.login({ login: 'nobody', password: 'whatever-123' }, { ip: '127.0.0.1' })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(service.login({ login: 'alice', password: 'wrong-password' }, { ip: '127.0.0.1' })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(verifyCalls).toHaveLength(2);
    for (const hash of verifyCalls) expect(hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
  });

  it('lets the right password in', async () => {
    const result = await service.login({ login: 'alice', password: 'correct-horse-1' }, { ip: '127.0.0.1' });
    expect(result.user.id).toBe('c1');
  });
});
