import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { uniqueViolationFields } from '../common/prisma-errors';
import type { User } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { allocatePublicCustomerId } from '../users/public-customer-id';
import { userLabel } from '../users/user-label';
import { PasswordHasher } from './password-hasher';
import type { LoginDto } from './dto/login.dto';
import type { RegisterDto } from './dto/register.dto';
import { LoginThrottleService } from './login-throttle.service';
import { ClientInfo, SessionsService, TokenPair } from './sessions.service';
import { Actor, AuditService } from '../audit/audit.service';
import type { AuthUser } from './auth-user';

export type Authenticated = TokenPair & { user: User };

function actorOf(user: User): Actor {
  return { id: user.id, label: userLabel(user) };
}

const INVALID_CREDENTIALS = () => new DomainError('INVALID_CREDENTIALS', 'Invalid login or password');

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
  ) {}

  /** The id is Prisma's CUID default; the public id comes from the counter in the same transaction. */
  async register(input: RegisterDto, client: ClientInfo): Promise<Authenticated> {
    const passwordHash = await this.hasher.hash(input.password); // before the transaction: no lock held while hashing
    let user: User;
    try {
      user = await this.prisma.$transaction(async (tx) => {
        const created = await tx.user.create({
          data: {
            email: input.email,
            username: input.username,
            passwordHash,
            firstName: input.firstName ?? null,
            lastName: input.lastName ?? null,
            displayName: input.displayName ?? null,
            publicCustomerId: await allocatePublicCustomerId(tx),
          },
        });
        await this.audit.record(tx, {
          action: 'user.register',
          actor: actorOf(created),
          customerId: created.id,
          targetType: 'user',
          targetId: created.id,
          data: { publicCustomerId: created.publicCustomerId },
        });
        return created;
      });
    } catch (error) {
      throw this.registrationConflict(error) ?? error;
    }
    this.logger.log({ user: userLabel(user), publicCustomerId: user.publicCustomerId }, 'User registered');
    return { ...(await this.sessions.start(user.id, client)), user };
  }

  private startAudited(user: User, client: ClientInfo, action: string): Promise<TokenPair> {
    return this.prisma.$transaction(async (tx) => {
      const pair = await this.sessions.start(user.id, client, tx);
      await this.audit.record(tx, { action, actor: actorOf(user), customerId: user.id, targetType: 'user', targetId: user.id });
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
      await this.audit.recordAlone({ action: 'auth.login_refused_disabled', actor: actorOf(user), customerId: user.id });
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

  private registrationConflict(error: unknown): DomainError | undefined {
    const fields = uniqueViolationFields(error) ?? [];
    if (fields.includes('email')) {
      return new DomainError('EMAIL_TAKEN', 'email is already registered', [{ field: 'email', message: 'email is already registered' }]);
    }
    if (fields.includes('username')) {
      return new DomainError('USERNAME_TAKEN', 'username is already taken', [{ field: 'username', message: 'username is already taken' }]);
    }
    return undefined;
  }
}
