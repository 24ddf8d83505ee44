import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { PrismaService } from './prisma.service';

export type LeaseOutcome<T> = { ran: true; result: T } | { ran: false; heldBy: string };

/** The database's clock in UTC, the way Prisma stores DateTime: every process compares against one clock. */
const DB_NOW = `(now() AT TIME ZONE 'utc')`;

/**
 * Jobs that must not run twice at once across every berth process on one database
 * (reconciliation). A row in JobLease, taken with one conditional upsert, renewed while the job
 * runs and deleted when it ends. A process that dies holding it blocks the job until it expires.
 */
@Injectable()
export class LeaseService {
  private readonly logger = new Logger(LeaseService.name);
  /** This process, as other processes see it when they are refused. */
  readonly holder = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;

  constructor(private readonly prisma: PrismaService) {}

  /** Runs `work` if no other process holds `name`; otherwise says who does, without waiting. */
  async runExclusive<T>(name: string, ttlMs: number, work: () => Promise<T>): Promise<LeaseOutcome<T>> {
    const heldBy = await this.acquire(name, ttlMs);
    if (heldBy !== this.holder) return { ran: false, heldBy };
    const renewal = setInterval(() => {
      this.renew(name, ttlMs).catch((error: unknown) => this.logger.warn({ err: error, name }, 'Lease renewal failed'));
    }, Math.max(1000, Math.floor(ttlMs / 3)));
    renewal.unref();
    try {
      return { ran: true, result: await work() };
    } finally {
      clearInterval(renewal);
      await this.prisma
        .$executeRawUnsafe(`DELETE FROM "JobLease" WHERE "name" = $1 AND "holder" = $2`, name, this.holder)
        .catch((error: unknown) => this.logger.warn({ err: error, name }, 'Lease release failed; it expires by itself'));
    }
  }

  /** Takes the lease when it is free or expired; returns whoever holds it afterwards. */
  private async acquire(name: string, ttlMs: number): Promise<string> {
    const rows = await this.prisma.$queryRawUnsafe<{ holder: string }[]>(
      `INSERT INTO "JobLease" ("name", "holder", "acquiredAt", "expiresAt")
       VALUES ($1, $2, ${DB_NOW}, ${DB_NOW} + $3::int * interval '1 millisecond')
       ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "acquiredAt" = EXCLUDED."acquiredAt",
                                          "expiresAt" = EXCLUDED."expiresAt"
        WHERE "JobLease"."expiresAt" < ${DB_NOW}
       RETURNING "holder"`,
      name,
      this.holder,
      ttlMs,
    );
    if (rows.length) return rows[0].holder;
    const held = await this.prisma.$queryRawUnsafe<{ holder: string }[]>(`SELECT "holder" FROM "JobLease" WHERE "name" = $1`, name);
    // Released between the two statements: nobody holds it now, but this run is skipped anyway.
    return held[0]?.holder ?? 'another process (just released)';
  }

  private async renew(name: string, ttlMs: number): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `UPDATE "JobLease" SET "expiresAt" = ${DB_NOW} + $3::int * interval '1 millisecond' WHERE "name" = $1 AND "holder" = $2`,
      name,
      this.holder,
      ttlMs,
    );
  }
}
