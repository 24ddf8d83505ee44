import { Injectable, Logger } from '@nestjs/common';
import { Actor, AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { uniqueViolationFields } from '../common/prisma-errors';
import type { Role, User } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { allocatePublicCustomerId } from '../users/public-customer-id';
import { userActor, userLabel } from '../users/user-label';
import { PasswordHasher } from './password-hasher';

export interface NewAccount {
  email: string;
  username: string;
  password: string;
  firstName?: string | null;
  lastName?: string | null;
  displayName?: string | null;
}

/**
 * The one way accounts come to exist (HTTP registration, the CLI): CUID id, public customer id
 * from the counter in the same transaction, argon2id hash, and an audit event in that
 * transaction too.
 */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
  ) {}

  /** `actor`: who creates it; null for self-registration (the new user is the actor). */
  async create(input: NewAccount, options: { role?: Role; actor?: Actor | null } = {}): Promise<User> {
    const passwordHash = await this.hasher.hash(input.password); // before the transaction: no lock held while hashing
    try {
      const user = await this.prisma.$transaction(async (tx) => {
        const created = await tx.user.create({
          data: {
            email: input.email,
            username: input.username,
            passwordHash,
            firstName: input.firstName ?? null,
            lastName: input.lastName ?? null,
            displayName: input.displayName ?? null,
            role: options.role ?? 'USER',
            publicCustomerId: await allocatePublicCustomerId(tx),
          },
        });
        await this.audit.record(tx, {
          action: 'user.register',
          actor: options.actor ?? userActor(created),
          customerId: created.id,
          targetType: 'user',
          targetId: created.id,
          data: { publicCustomerId: created.publicCustomerId, role: created.role },
        });
        return created;
      });
      this.logger.log({ user: userLabel(user), publicCustomerId: user.publicCustomerId }, 'User registered');
      return user;
    } catch (error) {
      throw conflict(error) ?? error;
    }
  }
}

function conflict(error: unknown): DomainError | undefined {
  const fields = uniqueViolationFields(error) ?? [];
  if (fields.includes('email')) {
    return new DomainError('EMAIL_TAKEN', 'email is already registered', [{ field: 'email', message: 'email is already registered' }]);
  }
  if (fields.includes('username')) {
    return new DomainError('USERNAME_TAKEN', 'username is already taken', [{ field: 'username', message: 'username is already taken' }]);
  }
  return undefined;
}
