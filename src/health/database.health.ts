import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { withTimeout } from '../common/with-timeout';
import { PrismaService } from '../prisma/prisma.service';

const TIMEOUT_MS = 2000;

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly prisma: PrismaService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** Up when the database answers a trivial query within the timeout. */
  async check(key = 'database'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const started = performance.now();
    try {
      await withTimeout(this.prisma.$queryRaw`SELECT 1`, TIMEOUT_MS);
      return indicator.up({ kind: this.prisma.databaseKind, latencyMs: Math.round(performance.now() - started) });
    } catch (error) {
      return indicator.down({ kind: this.prisma.databaseKind, message: (error as Error).message });
    }
  }
}
