import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import type { User } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { userActor } from '../users/user-label';
import { PasswordHasher } from './password-hasher';
import type { LoginDto } from './dto/login.dto';
import type { RegisterDto } from './dto/register.dto';
import { LoginThrottleService } from './login-throttle.service';
import { ClientInfo, SessionsService, TokenPair } from './sessions.service';
import { AccountsService } from './accounts.service';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from './auth-user';

export type Authenticated = TokenPair & { user: User };

const INVALID_CREDENTIALS = () => new DomainError('INVALID_CREDENTIALS', 'Invalid login or password');

@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
    private readonly accounts: AccountsService,
  ) {}

  async register(input: RegisterDto, client: ClientInfo): Promise<Authenticated> {
    const user = await this.accounts.create(input);
    return { ...(await this.sessions.start(user.id, client)), user };
  }

  private startAudited(user: User, client: ClientInfo, action: string): Promise<TokenPair> {
    return this.prisma.$transaction(async (tx) => {
      const pair = await this.sessions.start(user.id, client, tx);
      await this.audit.record(tx, { action, actor: userActor(user), customerId: user.id, targetType: 'user', targetId: user.id });
      return pair;
    });
  }

  /**
   * Unknown login and wrong password answer alike and cost alike (a dummy hash is checked).
   * A disabled account is only revealed to someone who knows its password.
   */
  async login(input: LoginDto, client: ClientInfo & { ip: string }): Promise<Authenticated> {
    await this.throttle.assertAllowed(client.ip, input.login);
    const user = await this.prisma.user.findUnique({
      where: input.login.includes('@') ? { email: input.login } : { username: input.login },
    });
    const passwordOk = user
      ? await this.hasher.verify(user.passwordHash, input.password)
      : await this.hasher.verifyNobody(input.password);
    if (!user || !passwordOk) {
      await this.throttle.recordFailure(client.ip, input.login);
      await this.audit.recordAlone({
        action: 'auth.login_failed',
        actor: null,
        customerId: user?.id ?? null,
        data: { login: input.login.slice(0, 254), knownUser: Boolean(user) },
      });
      throw INVALID_CREDENTIALS();
    }
    await this.throttle.recordSuccess(input.login);
    if (user.disabledAt) {
      await this.audit.recordAlone({ action: 'auth.login_refused_disabled', actor: userActor(user), customerId: user.id });
      throw new DomainError('ACCOUNT_DISABLED', 'This account is disabled');
    }
    return { ...(await this.startAudited(user, client, 'auth.login')), user };
  }

  refresh(refreshToken: string): Promise<Authenticated> {
    return this.sessions.rotate(refreshToken);
  }

  logout(caller: AuthUser): Promise<void> {
    return this.prisma.$transaction(async (tx) => {
      await this.sessions.end(caller.sessionId, 'logout', tx);
      await this.audit.record(tx, {
        action: 'auth.logout',
        actor: caller,
        customerId: caller.id,
        targetType: 'session',
        targetId: caller.sessionId,
      });
    });
  }
}
