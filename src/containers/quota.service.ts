import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import type { Prisma } from '../generated/prisma/client';

export interface Quota {
  maxContainers: number;
  maxMemoryMb: number;
  maxCpus: number;
}

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
    const override = await tx.customerQuota.findUnique({ where: { userId: customerId } });
    const defaults = this.config.quota;
    return {
      maxContainers: override?.maxContainers ?? defaults.maxContainers,
      maxMemoryMb: override?.maxMemoryMb ?? defaults.maxMemoryMb,
      maxCpus: override?.maxCpus ?? defaults.maxCpus,
    };
  }

  /** Takes the customer's lock for the rest of the transaction, then checks the request fits. */
  async assertFits(tx: Prisma.TransactionClient, customerId: string, request: QuotaRequest): Promise<void> {
    await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(${QUOTA_LOCK_NAMESPACE}::int, hashtext(${customerId}))) AS l`;
    const quota = await this.quotaFor(tx, customerId);
    const usage = await tx.containerInstance.aggregate({
      where: { customerId, status: { notIn: ['FAILED', 'DELETED'] } },
      _count: { _all: true },
      _sum: { memoryMb: true, cpus: true },
    });
    const count = usage._count._all;
    const memoryMb = usage._sum.memoryMb ?? 0;
    const cpus = usage._sum.cpus ?? 0;
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
