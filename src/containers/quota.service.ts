import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import type { Prisma } from '../generated/prisma/client';

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
const QUOTA_LOCK_NAMESPACE = 4_002_001;
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
  async assertFits(tx: Prisma.TransactionClient, customerId: string, request: QuotaRequest): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${QUOTA_LOCK_NAMESPACE}::int, hashtext(${customerId}))`;
    const [row] = await tx.$queryRaw<(QuotaOverride & { count: number; memoryMb: number; cpus: number })[]>`
      SELECT q."maxContainers", q."maxMemoryMb", q."maxCpus", u."count", u."memoryMb", u."cpus"
        FROM (SELECT count(*)::int AS "count", coalesce(sum("memoryMb"), 0)::int AS "memoryMb",
                     coalesce(sum("cpus"), 0)::float8 AS "cpus"
                FROM "ContainerInstance"
               WHERE "customerId" = ${customerId} AND "status" NOT IN ('FAILED', 'DELETED')) AS u
        LEFT JOIN "CustomerQuota" q ON q."userId" = ${customerId}`;
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
