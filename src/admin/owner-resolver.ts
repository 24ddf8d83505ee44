import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import type { User } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { userLabel } from '../users/user-label';
import { findUserByRef, RefKind } from '../users/user-ref';

const ARTICLE: Record<RefKind, string> = { id: 'an', 'public customer id': 'a', email: 'an', username: 'a' };

/**
 * Checks an owner named explicitly by an admin. Only a User.id of an enabled user is accepted;
 * a username, email or public id is refused with a pointer to the right id, so the historic
 * mix-up (usernames, `u042`, `u-dev-001` as owners) cannot happen through the admin path either.
 */
@Injectable()
export class OwnerResolver {
  constructor(private readonly prisma: PrismaService) {}

  async requireUserId(value: string, field: string): Promise<User> {
    const user = await this.prisma.user.findUnique({ where: { id: value } });
    if (user) {
      if (user.disabledAt) {
        throw new DomainError('INVALID_CUSTOMER_ID', `${field} ${value} belongs to a disabled user (${userLabel(user)})`, [
          { field, message: `${field} must be an enabled user` },
        ]);
      }
      return user;
    }
    const match = await findUserByRef(this.prisma, value);
    if (match) {
      throw new DomainError(
        'INVALID_CUSTOMER_ID',
        `${field} must be a user id (User.id), not ${ARTICLE[match.kind]} ${match.kind}: "${value}" is the ${match.kind} of ` +
          `${userLabel(match.user)}, whose user id is ${match.user.id}`,
        [{ field, message: `${field} must be a user id; did you mean ${match.user.id}?` }],
      );
    }
    throw new DomainError('CUSTOMER_NOT_FOUND', `${field} must be the user id of an existing user; no user has id "${value}"`, [
      { field, message: `${field} must be a user id of an existing user` },
    ]);
  }
}
