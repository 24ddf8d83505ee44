import { Injectable } from '@nestjs/common';
import { withTimeout } from '../common/with-timeout';
import { ContainerRuntime } from '../containers/runtime/container-runtime';

const TIMEOUT_MS = 2000;

export interface EngineHealth {
  status: 'up' | 'down';
  version?: string;
  cpus?: number;
  message?: string;
}

/**
 * Engine state for /health/ready. Reported, never fatal: with the engine down customers can
 * still sign in and read their containers, so the instance stays ready.
 */
@Injectable()
export class EngineHealthIndicator {
  constructor(private readonly runtime: ContainerRuntime) {}

  async check(): Promise<EngineHealth> {
    try {
      const info = await withTimeout(this.runtime.info(), TIMEOUT_MS);
      return { status: 'up', version: info.version, cpus: info.cpus };
    } catch (error) {
      return { status: 'down', message: (error as Error).message };
    }
  }
}
