import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import type { Prisma } from '../generated/prisma/client';
import { SqlTx, sqlOf } from '../prisma/sql-tx';

export interface Quota {
  maxContainers: number;
  maxMemoryMb: number;
  maxCpus: number;
}

/** A customer's own limits (CustomerQuota); null or absent means the configured default. */
type QuotaOverride = { [K in keyof Quota]?: number | null };

export interface QuotaRequest {
  memoryMb: number;
  cpus: number;
}

/** Lock namespace for pg_advisory_xact_lock(namespace, hashtext(customerId)). */
export const QUOTA_LOCK_NAMESPACE = 4_002_001;
/** CPU shares are decimals; sums of floats must not fail a request that fits exactly. */
const EPSILON = 1e-9;

/**
 * Per-customer limits over containers that are not FAILED or DELETED. Checked inside the
 * transaction that inserts the row, behind a per-customer advisory lock, so parallel creates
 * (in any number of API processes) are counted one after another and never overshoot.
 */
@Injectable()
export class QuotaService {
  constructor(private readonly config: AppConfig) {}

  async quotaFor(tx: Prisma.TransactionClient, customerId: string): Promise<Quota> {
    return this.withDefaults(await tx.customerQuota.findUnique({ where: { userId: customerId } }));
  }

  private withDefaults(override: QuotaOverride | null): Quota {
    const defaults = this.config.quota;
    return {
      maxContainers: override?.maxContainers ?? defaults.maxContainers,
      maxMemoryMb: override?.maxMemoryMb ?? defaults.maxMemoryMb,
      maxCpus: override?.maxCpus ?? defaults.maxCpus,
    };
  }

  /**
   * Takes the customer's lock for the rest of the transaction, then checks the request fits.
   * On every create: override and usage are read in one statement (started after the lock, so
   * it sees every create committed before it).
   */
  async assertFits(tx: SqlTx, customerId: string, request: QuotaRequest): Promise<void> {
    const sql = sqlOf(tx);
    await sql.query(`SELECT 1 AS locked FROM pg_advisory_xact_lock($1::int, hashtext($2))`, [QUOTA_LOCK_NAMESPACE, customerId]);
    const [row] = await sql.query<QuotaOverride & { count: number; memoryMb: number; cpus: number }>(
      `SELECT q."maxContainers", q."maxMemoryMb", q."maxCpus", u."count", u."memoryMb", u."cpus"
         FROM (SELECT count(*)::int AS "count", coalesce(sum("memoryMb"), 0)::int AS "memoryMb",
                      coalesce(sum("cpus"), 0)::float8 AS "cpus"
                 FROM "ContainerInstance"
                WHERE "customerId" = $1 AND "status" NOT IN ('FAILED', 'DELETED')) AS u
         LEFT JOIN "CustomerQuota" q ON q."userId" = $1`,
      [customerId],
    );
    const quota = this.withDefaults(row);
    const { count, memoryMb, cpus } = row;
    const problems: string[] = [];
    if (count + 1 > quota.maxContainers) problems.push(`containers ${count}/${quota.maxContainers}`);
    if (memoryMb + request.memoryMb > quota.maxMemoryMb) {
      problems.push(`memory ${memoryMb}+${request.memoryMb} MB > ${quota.maxMemoryMb} MB`);
    }
    if (cpus + request.cpus > quota.maxCpus + EPSILON) problems.push(`cpus ${round(cpus)}+${request.cpus} > ${quota.maxCpus}`);
    if (problems.length) throw new DomainError('QUOTA_EXCEEDED', `Quota exceeded: ${problems.join('; ')}`);
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
