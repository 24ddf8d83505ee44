import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { DatabaseHealthIndicator } from './database.health';
import { EngineHealth, EngineHealthIndicator } from './engine.health';

/** Probes for orchestrators, served outside /api and without authentication. */
@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly engine: EngineHealthIndicator,
  ) {}

  /** The process is up and its event loop turns. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready to serve: 503 only when the database does not answer. Either way the body is the
   * health report (which check failed and why), not the generic error format: probes and
   * dashboards read it. `engine` says whether the container engine answers; it never makes
   * the instance unready.
   */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult & { engine: EngineHealth }> {
    const [database, engine] = await Promise.all([this.checkDatabase(), this.engine.check()]);
    if (!database.ok) res.status(503);
    return { ...database.result, engine };
  }

  private async checkDatabase(): Promise<{ ok: boolean; result: HealthCheckResult }> {
    try {
      return { ok: true, result: await this.health.check([() => this.database.check()]) };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      return { ok: false, result: error.getResponse() as HealthCheckResult };
    }
  }
}
