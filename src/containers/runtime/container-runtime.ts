/**
 * The port between berth and whatever runs containers. The Docker adapter (dockerode) is the
 * first implementation; Swarm services or Kubernetes implement the same class later. Nothing
 * outside an adapter talks to an engine, and adapters speak only these types.
 */

/** Labels on every engine object berth makes: how reconciliation finds its own. */
export const LABEL_MANAGED_BY = 'berth.managed-by';
export const LABEL_INSTANCE_ID = 'berth.instance-id';
export const LABEL_CUSTOMER_ID = 'berth.customer-id';
export const MANAGED_BY_VALUE = 'berth';

export interface ContainerSpec {
  /** ContainerInstance.id: names the engine object and labels it. */
  instanceId: string;
  /** The owner at creation (User.id), recorded as a label for later forensics. */
  customerId: string;
  image: string;
  command?: string[];
  env?: Record<string, string>;
  memoryMb: number;
  cpus: number;
}

export type EngineState = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'removing';

export interface EngineContainer {
  engineId: string;
  instanceId?: string;
  customerId?: string;
  state: EngineState;
  exitCode?: number;
  oomKilled?: boolean;
  /** The engine's own error text, e.g. a command that could not be executed. */
  error?: string;
}

export interface ContainerStats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
}

export interface EngineInfo {
  version: string;
  cpus: number;
  memoryBytes: number;
}

/** The engine could not be reached at all (socket missing, refused, timed out). */
export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
}

/** The engine answered and refused the request; `message` is its reason. */
export class EngineRejectedError extends Error {
  override name = 'EngineRejectedError';
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

export abstract class ContainerRuntime {
  /** Creates the container (not started) and returns the engine's id for it. */
  abstract create(spec: ContainerSpec): Promise<string>;
  abstract start(engineId: string): Promise<void>;
  abstract stop(engineId: string): Promise<void>;
  abstract restart(engineId: string): Promise<void>;
  /** Removes it, running or not; an engine container that is already gone is not an error. */
  abstract remove(engineId: string): Promise<void>;
  /** null when the engine has no such container. */
  abstract inspect(engineId: string): Promise<EngineContainer | null>;
  /** Every container carrying berth's managed-by label. */
  abstract listManaged(): Promise<EngineContainer[]>;
  /** The last `tail` lines of stdout and stderr, interleaved as written. */
  abstract logs(engineId: string, tail: number): Promise<string>;
  abstract stats(engineId: string): Promise<ContainerStats>;
  abstract info(): Promise<EngineInfo>;
}
