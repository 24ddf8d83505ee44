/**
 * The port between berth and whatever runs containers: single-host Docker (DockerRuntime, one
 * engine container per berth container) or a Docker Swarm (SwarmRuntime, one service with one
 * replica per berth container), chosen by CONTAINER_RUNTIME. Nothing outside an adapter talks to
 * an engine, and adapters speak only these types. `engineId` is whatever the adapter names its
 * object by (a container id, a service id).
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
  /** Swarm: the node running (or about to run) it. */
  nodeId?: string;
  /** Swarm: every node where one of its tasks last reported running; a node that went down is among them. */
  runningOnNodeIds?: string[];
}

export interface ContainerStats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
}

export interface ClusterNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  /** `ready` takes tasks; `down`, `disconnected` and `unknown` do not. */
  state: string;
  availability: string;
  leader: boolean;
}

export interface EngineInfo {
  version: string;
  /** Swarm: the whole cluster's cores and memory; Docker: the host's. */
  cpus: number;
  memoryBytes: number;
  /** Swarm only. */
  cluster?: { managers: number; nodes: ClusterNode[] };
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

/** The engine cannot do this at all (e.g. stats of a swarm task on another node); `message` says why. */
export class EngineUnsupportedError extends Error {
  override name = 'EngineUnsupportedError';
}

export abstract class ContainerRuntime {
  /** `docker` or `swarm`: shown by /health/ready. */
  abstract readonly kind: string;

  /** Creates the container (not started) and returns the engine's id for it. */
  abstract create(spec: ContainerSpec): Promise<string>;
  abstract start(engineId: string): Promise<void>;
  abstract stop(engineId: string): Promise<void>;
  abstract restart(engineId: string): Promise<void>;
  /** Removes it, running or not; an engine container that is already gone is not an error. */
  abstract remove(engineId: string): Promise<void>;
  /** null when the engine has no such container. */
  abstract inspect(engineId: string): Promise<EngineContainer | null>;
  /** Every container (swarm: service) carrying berth's managed-by label. */
  abstract listManaged(): Promise<EngineContainer[]>;
  /** The last `tail` lines of stdout and stderr, interleaved as written. */
  abstract logs(engineId: string, tail: number): Promise<string>;
  abstract stats(engineId: string): Promise<ContainerStats>;
  abstract info(): Promise<EngineInfo>;
}
