import { Injectable } from '@nestjs/common';
import type { ContainerInstance } from '../generated/prisma/client';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { userLabel } from '../users/user-label';
import type { AdminContainersQuery } from './dto/admin-queries';

export interface AdminContainerRow {
  container: ContainerInstance;
  /** null when customerId is not a user id (historic rows). */
  ownerLabel: string | null;
}

/**
 * Every customer's containers for the admin console. Rows whose customerId is not a user id
 * (historic pollution) are listed as owner unknown, never dropped and never a crash.
 */
@Injectable()
export class AdminContainersService {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: AdminContainersQuery): Promise<{ items: AdminContainerRow[]; total: number; page: number; pageSize: number }> {
    const conditions: Prisma.Sql[] = [
      query.status ? Prisma.sql`c."status" = ${query.status}::"ContainerStatus"` : Prisma.sql`c."status" <> 'DELETED'`,
    ];
    if (query.customerId !== undefined) conditions.push(Prisma.sql`c."customerId" = ${query.customerId}`);
    if (query.ownerKnown === true) conditions.push(Prisma.sql`u."id" IS NOT NULL`);
    if (query.ownerKnown === false) conditions.push(Prisma.sql`u."id" IS NULL`);
    const from = Prisma.sql`FROM "ContainerInstance" c LEFT JOIN "User" u ON u."id" = c."customerId" WHERE ${Prisma.join(conditions, ' AND ')}`;

    const [counted, page] = await Promise.all([
      this.prisma.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total ${from}`,
      this.prisma.$queryRaw<{ id: string }[]>`
        SELECT c."id" ${from} ORDER BY c."createdAt" DESC, c."id" DESC
        LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`,
    ]);
    const ids = page.map((row) => row.id);
    const rows = await this.prisma.containerInstance.findMany({ where: { id: { in: ids } } });
    const owners = await this.prisma.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.customerId))] } } });
    const ownerById = new Map(owners.map((user) => [user.id, user]));
    const rowById = new Map(rows.map((row) => [row.id, row]));
    const items = ids.map((id) => {
      const container = rowById.get(id)!;
      const owner = ownerById.get(container.customerId);
      return { container, ownerLabel: owner ? userLabel(owner) : null };
    });
    return { items, total: Number(counted[0]?.total ?? 0), page: query.page, pageSize: query.pageSize };
  }
}
