import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user';
import { PasswordHasher } from '../auth/password-hasher';
import { SessionsService } from '../auth/sessions.service';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import type { User } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import type { ChangePasswordDto } from './dto/change-password.dto';
import type { UpdateProfileDto } from './dto/update-profile.dto';

@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  updateProfile(userId: string, changes: UpdateProfileDto): Promise<User> {
    return this.prisma.user.update({
      where: { id: userId },
      data: { firstName: changes.firstName, lastName: changes.lastName, displayName: changes.displayName },
    });
  }

  /** A new password ends every other session: whoever else knew the old one is logged out. */
  async changePassword(caller: AuthUser, change: ChangePasswordDto): Promise<void> {
    if (!(await this.hasher.verify(caller.record.passwordHash, change.currentPassword))) {
      // 400, not 401: the session is fine, only this field is wrong (a 401 would log clients out).
      throw new DomainError('INVALID_CURRENT_PASSWORD', 'currentPassword is wrong', [
        { field: 'currentPassword', message: 'currentPassword is wrong' },
      ]);
    }
    const passwordHash = await this.hasher.hash(change.newPassword);
    await this.prisma.$transaction(async (tx) => {
      await tx.user.update({ where: { id: caller.id }, data: { passwordHash } });
      const ended = await this.sessions.endAllForUser(caller.id, 'password_changed', caller.sessionId, tx);
      await this.audit.record(tx, {
        action: 'user.password_change',
        actor: caller,
        customerId: caller.id,
        targetType: 'user',
        targetId: caller.id,
        data: { otherSessionsEnded: ended },
      });
    });
  }
}
