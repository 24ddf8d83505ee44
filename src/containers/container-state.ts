import type { ContainerStatus } from '../generated/prisma/client';
import type { EngineState } from './runtime/container-runtime';

/** What berth calls a container in a given engine state. */
export function statusFromEngine(state: EngineState): ContainerStatus {
  switch (state) {
    case 'running':
    case 'restarting':
    case 'paused':
      return 'RUNNING';
    case 'created':
    case 'exited':
    case 'dead':
      return 'STOPPED';
    case 'removing':
      return 'MISSING';
  }
}
