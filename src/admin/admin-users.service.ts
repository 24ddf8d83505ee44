import { Injectable } from '@nestjs/common';
import { Actor, AuditService } from '../audit/audit.service';
import { SessionsService } from '../auth/sessions.service';
import { DomainError } from '../common/domain-error';
import { Quota, QuotaService } from '../containers/quota.service';
import type { ContainerStatus, Prisma, User } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { findUserByRef } from '../users/user-ref';
import type { AdminUsersQuery } from './dto/admin-queries';
import type { UpdateUserDto } from './dto/update-user.dto';

export interface UserDetail {
  user: User;
  containers: Partial<Record<ContainerStatus, number>>;
  quota: Quota & { overridden: Partial<Quota> };
}

/** Admins are changed one at a time in every process: "the last active admin" stays true. */
const ADMINS_LOCK_KEY = 72_617_005_002;

@Injectable()
export class AdminUsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
    private readonly quotas: QuotaService,
  ) {}

  async list(query: AdminUsersQuery): Promise<{ items: User[]; total: number; page: number; pageSize: number }> {
    const text = query.query?.trim();
    const where: Prisma.UserWhereInput = {
      role: query.role,
      ...(text
        ? {
            OR: [
              { email: { contains: text, mode: 'insensitive' } },
              { username: { contains: text, mode: 'insensitive' } },
              { displayName: { contains: text, mode: 'insensitive' } },
              { publicCustomerId: { equals: text.toLowerCase() } },
              { id: { equals: text } },
            ],
          }
        : {}),
    };
    const [total, items] = await Promise.all([
      this.prisma.user.count({ where }),
      this.prisma.user.findMany({
        where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        skip: (query.page - 1) * query.pageSize,
        take: query.pageSize,
      }),
    ]);
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  async get(ref: string): Promise<UserDetail> {
    return this.detail(await this.find(ref));
  }

  /**
   * Role, disable and quota changes, each audited, in one transaction. Disabling ends every
   * session at once; removing the last active admin (by demotion or disable) is refused.
   */
  async update(ref: string, change: UpdateUserDto, actor: Actor): Promise<UserDetail> {
    const target = await this.find(ref);
    const updated = await this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(${ADMINS_LOCK_KEY}::bigint)) AS l`;
      const user = await tx.user.findUniqueOrThrow({ where: { id: target.id } });
      const base = { actor, customerId: user.id, targetType: 'user', targetId: user.id, reason: change.reason ?? null };
      const willBeActiveAdmin =
        (change.role ?? user.role) === 'ADMIN' && !(change.disabled ?? user.disabledAt !== null);
      if (user.role === 'ADMIN' && !user.disabledAt && !willBeActiveAdmin) {
        const others = await tx.user.count({ where: { role: 'ADMIN', disabledAt: null, id: { not: user.id } } });
        if (others === 0) throw new DomainError('LAST_ADMIN', 'This is the last active admin; promote another admin first');
      }
      if (change.role !== undefined && change.role !== user.role) {
        await tx.user.update({ where: { id: user.id }, data: { role: change.role } });
        await this.audit.record(tx, { ...base, action: 'user.role_change', data: { from: user.role, to: change.role } });
      }
      if (change.disabled !== undefined && change.disabled !== (user.disabledAt !== null)) {
        await tx.user.update({ where: { id: user.id }, data: { disabledAt: change.disabled ? new Date() : null } });
        const ended = change.disabled ? await this.sessions.endAllForUser(user.id, 'account_disabled', undefined, tx) : 0;
        await this.audit.record(tx, {
          ...base,
          action: change.disabled ? 'user.disable' : 'user.enable',
          data: { sessionsEnded: ended },
        });
      }
      if (change.quota) {
        const before = await tx.customerQuota.findUnique({ where: { userId: user.id } });
        const values = {
          maxContainers: change.quota.maxContainers,
          maxMemoryMb: change.quota.maxMemoryMb,
          maxCpus: change.quota.maxCpus,
        };
        await tx.customerQuota.upsert({ where: { userId: user.id }, create: { userId: user.id, ...values }, update: values });
        await this.audit.record(tx, {
          ...base,
          action: 'user.quota_change',
          data: { before: before ? pickQuota(before) : null, change: values },
        });
      }
      return tx.user.findUniqueOrThrow({ where: { id: user.id } });
    });
    return this.detail(updated);
  }

  private async find(ref: string): Promise<User> {
    const match = await findUserByRef(this.prisma, ref);
    if (!match) throw new DomainError('NOT_FOUND', `No user matches "${ref.slice(0, 100)}" (id, public id, username or email)`);
    return match.user;
  }

  private async detail(user: User): Promise<UserDetail> {
    const [groups, override, effective] = await Promise.all([
      this.prisma.containerInstance.groupBy({ by: ['status'], where: { customerId: user.id }, _count: { _all: true } }),
      this.prisma.customerQuota.findUnique({ where: { userId: user.id } }),
      this.quotas.quotaFor(this.prisma, user.id),
    ]);
    const containers = Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
    return { user, containers, quota: { ...effective, overridden: override ? pickQuota(override) : {} } };
  }
}

function pickQuota(row: { maxContainers: number | null; maxMemoryMb: number | null; maxCpus: number | null }): Partial<Quota> {
  return Object.fromEntries(Object.entries({ maxContainers: row.maxContainers, maxMemoryMb: row.maxMemoryMb, maxCpus: row.maxCpus }).filter(([, v]) => v !== null));
}
