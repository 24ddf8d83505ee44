import { Injectable } from '@nestjs/common';
import { withTimeout } from '../common/with-timeout';
import { ContainerRuntime } from '../containers/runtime/container-runtime';

const TIMEOUT_MS = 2000;

export interface EngineHealth {
  status: 'up' | 'down';
  /** `docker` or `swarm` (CONTAINER_RUNTIME). */
  runtime: string;
  version?: string;
  cpus?: number;
  /** Swarm: the cluster as the manager sees it. */
  cluster?: {
    managers: number;
    nodesReady: number;
    nodesDown: number;
    nodes: { hostname: string; role: string; state: string; availability: string; leader: boolean }[];
  };
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
      const health: EngineHealth = { status: 'up', runtime: this.runtime.kind, version: info.version, cpus: info.cpus };
      if (info.cluster) {
        const nodes = info.cluster.nodes.map(({ id: _id, ...node }) => node);
        const ready = nodes.filter((n) => n.state === 'ready').length;
        health.cluster = { managers: info.cluster.managers, nodesReady: ready, nodesDown: nodes.length - ready, nodes };
      }
      return health;
    } catch (error) {
      return { status: 'down', runtime: this.runtime.kind, message: (error as Error).message };
    }
  }
}
