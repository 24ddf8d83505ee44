import type Docker from 'dockerode';
import {
  ClusterNode,
  ContainerRuntime,
  ContainerSpec,
  ContainerStats,
  EngineContainer,
  EngineInfo,
  EngineRejectedError,
  EngineState,
  EngineUnavailableError,
  EngineUnsupportedError,
  LABEL_CUSTOMER_ID,
  LABEL_INSTANCE_ID,
  LABEL_MANAGED_BY,
  MANAGED_BY_VALUE,
} from './container-runtime';
import { dockerClient, engineCall, isNotFound, logOptions, readContainerStats, readLogs } from './docker-client';

export interface SwarmRuntimeOptions {
  /** A manager's socket: `unix:///var/run/docker.sock` on a manager, or `tcp://manager:2375`. */
  host: string;
  /** `none`: tasks get no network (loopback only). `per-customer`: one internal overlay per customer. */
  network: 'none' | 'per-customer';
  /** Placement constraints for every service, e.g. `node.role==worker`. */
  constraints: string[];
  pidsLimit: number;
  stopTimeoutSeconds: number;
  /** How long start/restart wait for the task to run before saying why it does not. */
  startTimeoutSeconds: number;
  /** Delay between restarts of a failed task. */
  restartDelaySeconds: number;
}

/** The parts of the Engine API's Task and Service objects this adapter reads. */
interface Task {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  CreatedAt: string;
  DesiredState: string;
  Status: { State: string; Err?: string; Message?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
}

interface ServiceInfo {
  ID: string;
  Version: { Index: number };
  Spec: {
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number } };
    TaskTemplate: { ForceUpdate?: number } & Record<string, unknown>;
  } & Record<string, unknown>;
}

const MANAGED_FILTER = { label: [`${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE}`] };
/** Task states on the way to running. */
const STARTING = new Set(['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting']);
/** Task states that will not run again. */
const ENDED = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newestFirst = (a: Task, b: Task) => Date.parse(b.CreatedAt) - Date.parse(a.CreatedAt);

/**
 * Docker Swarm through a manager: each berth container is a replicated service with one replica
 * (0 when stopped), so the swarm places it, restarts it when it fails and reschedules it when
 * its node goes down. Status comes from the service's tasks. Containers of tasks on other nodes
 * cannot be reached through the manager, so stats work only for tasks on the manager's own node.
 */
export class SwarmRuntime extends ContainerRuntime {
  readonly kind = 'swarm';
  private readonly docker: Docker;
  private localNodeId?: string;

  constructor(private readonly options: SwarmRuntimeOptions) {
    super();
    this.docker = dockerClient(options.host);
  }

  async create(spec: ContainerSpec): Promise<string> {
    return engineCall(async () => {
      const labels = {
        [LABEL_MANAGED_BY]: MANAGED_BY_VALUE,
        [LABEL_INSTANCE_ID]: spec.instanceId,
        [LABEL_CUSTOMER_ID]: spec.customerId,
      };
      const networks = this.options.network === 'per-customer' ? [{ Target: await this.customerNetwork(spec.customerId) }] : [];
      const service = await this.docker.createService({
        Name: `berth-${spec.instanceId}`,
        Labels: labels,
        TaskTemplate: {
          ContainerSpec: {
            Image: spec.image,
            // Args replaces the image's CMD and keeps its entrypoint, as Cmd does for a plain container.
            Args: spec.command,
            Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
            Labels: labels,
            StopGracePeriod: this.options.stopTimeoutSeconds * 1e9,
            Mounts: [],
          },
          Resources: {
            Limits: { MemoryBytes: spec.memoryMb * 1024 * 1024, NanoCPUs: Math.round(spec.cpus * 1e9), Pids: this.options.pidsLimit },
            // Reserving what the limit allows keeps the scheduler from packing a node beyond its memory.
            Reservations: { MemoryBytes: spec.memoryMb * 1024 * 1024 },
          },
          // on-failure: a crash or a lost node brings it back; a command that exits 0 stays stopped.
          RestartPolicy: { Condition: 'on-failure', Delay: this.options.restartDelaySeconds * 1e9, MaxAttempts: 0 },
          Placement: { Constraints: this.options.constraints },
          Networks: networks,
        },
        // Created stopped, like a plain container: start() scales it to 1.
        Mode: { Replicated: { Replicas: 0 } },
        // No published ports, and DNS round robin: this kernel (and many hosts) has no IPVS for VIPs.
        EndpointSpec: { Mode: 'dnsrr' },
      } as Docker.CreateServiceOptions);
      return service.id;
    });
  }

  async start(engineId: string): Promise<void> {
    const since = Date.now();
    await this.update(engineId, (spec) => withReplicas(spec, 1));
    await this.waitUntilRunning(engineId, since);
  }

  async stop(engineId: string): Promise<void> {
    await this.update(engineId, (spec) => withReplicas(spec, 0));
    const deadline = Date.now() + (this.options.stopTimeoutSeconds + 10) * 1000;
    while (Date.now() < deadline) {
      const tasks = await this.tasks(engineId);
      if (!tasks.some((t) => t.Status.State === 'running' || STARTING.has(t.Status.State))) return;
      await sleep(POLL_MS);
    }
  }

  /** A forced update replaces the task with a new one, the swarm's restart. */
  async restart(engineId: string): Promise<void> {
    const since = Date.now();
    // The task being replaced may be younger than the clock-skew allowance below: it must not
    // count as the restarted one.
    const replaced = new Set((await engineCall(() => this.tasks(engineId))).map((task) => task.ID));
    await this.update(engineId, (spec) => {
      const next = withReplicas(spec, 1);
      next.TaskTemplate = { ...next.TaskTemplate, ForceUpdate: (spec.TaskTemplate.ForceUpdate ?? 0) + 1 };
      return next;
    });
    await this.waitUntilRunning(engineId, since, replaced);
  }

  async remove(engineId: string): Promise<void> {
    try {
      await this.docker.getService(engineId).remove();
    } catch (error) {
      if (!isNotFound(error)) await engineCall(() => Promise.reject(error));
    }
  }

  async inspect(engineId: string): Promise<EngineContainer | null> {
    return engineCall(async () => {
      let service: ServiceInfo;
      try {
        service = (await this.docker.getService(engineId).inspect()) as ServiceInfo;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
      return toEngineContainer(service, await this.tasks(engineId));
    });
  }

  async listManaged(): Promise<EngineContainer[]> {
    return engineCall(async () => {
      const [services, tasks] = await Promise.all([
        this.docker.listServices({ filters: MANAGED_FILTER }) as Promise<unknown> as Promise<ServiceInfo[]>,
        this.docker.listTasks({ filters: MANAGED_FILTER }) as Promise<Task[]>,
      ]);
      const byService = new Map<string, Task[]>();
      for (const task of tasks) byService.set(task.ServiceID, [...(byService.get(task.ServiceID) ?? []), task]);
      return services.map((service) => toEngineContainer(service, byService.get(service.ID) ?? []));
    });
  }

  async logs(engineId: string, tail: number): Promise<string> {
    return engineCall(async () => readLogs(await this.docker.getService(engineId).logs(logOptions(tail))));
  }

  async stats(engineId: string): Promise<ContainerStats> {
    return engineCall(async () => {
      const task = (await this.tasks(engineId)).find((t) => t.Status.State === 'running');
      const containerId = task?.Status.ContainerStatus?.ContainerID;
      if (!task || !containerId) throw new EngineUnsupportedError('Stats are available only while the container is running');
      this.localNodeId ??= String((await this.docker.info()).Swarm?.NodeID ?? '');
      if (task.NodeID !== this.localNodeId) {
        throw new EngineUnsupportedError(
          `Stats are not available on the swarm runtime for a container on another node (${task.NodeID}); the manager cannot read them`,
        );
      }
      return readContainerStats(this.docker, containerId);
    });
  }

  async info(): Promise<EngineInfo> {
    return engineCall(async () => {
      const info = await this.docker.info();
      const swarm = info.Swarm ?? {};
      if (swarm.LocalNodeState !== 'active') {
        throw new EngineUnavailableError(`The engine at DOCKER_HOST is not in a swarm (state ${swarm.LocalNodeState || 'inactive'})`);
      }
      if (!swarm.ControlAvailable) {
        throw new EngineUnavailableError('The engine at DOCKER_HOST is a swarm worker; berth needs a manager');
      }
      this.localNodeId = swarm.NodeID;
      const raw = (await this.docker.listNodes()) as NodeInfo[];
      const nodes: ClusterNode[] = raw.map(toClusterNode);
      const ready = raw.filter((n) => n.Status?.State === 'ready');
      return {
        version: String(info.ServerVersion),
        cpus: ready.reduce((sum, n) => sum + (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9, 0),
        memoryBytes: ready.reduce((sum, n) => sum + (n.Description?.Resources?.MemoryBytes ?? 0), 0),
        cluster: { managers: nodes.filter((n) => n.role === 'manager').length, nodes },
      };
    });
  }

  private tasks(serviceId: string): Promise<Task[]> {
    return this.docker.listTasks({ filters: { service: [serviceId] } }) as Promise<Task[]>;
  }

  /** Reads the service's version and writes the changed spec; retried when another writer got there first. */
  private async update(engineId: string, change: (spec: ServiceInfo['Spec']) => ServiceInfo['Spec']): Promise<void> {
    await engineCall(async () => {
      for (let attempt = 1; ; attempt++) {
        const service = this.docker.getService(engineId);
        const current = (await service.inspect()) as ServiceInfo;
        try {
          await service.update({ _query: { version: current.Version.Index }, _body: change(current.Spec) } as never);
          return;
        } catch (error) {
          // A stale version is a 500 "update out of sequence", not a 409.
          if (attempt < 5 && /out of sequence/i.test(String((error as Error).message))) continue;
          throw error;
        }
      }
    });
  }

  /**
   * Waits for a task created after `since` (and not one of `replaced`) to run, as `docker start`
   * returns once the process runs. A task the swarm rejects or that fails (bad command, image
   * missing on the node) is the engine's refusal; one that no node takes within the timeout is
   * refused with the swarm's reason.
   */
  private async waitUntilRunning(engineId: string, since: number, replaced = new Set<string>()): Promise<void> {
    const deadline = Date.now() + this.options.startTimeoutSeconds * 1000;
    let latest: Task | undefined;
    while (Date.now() < deadline) {
      // Clock skew between the engine and berth: allow a second.
      const fresh = (await engineCall(() => this.tasks(engineId)))
        .filter((t) => !replaced.has(t.ID) && Date.parse(t.CreatedAt) >= since - 1000)
        .sort(newestFirst);
      latest = fresh[0] ?? latest;
      if (latest?.Status.State === 'running') return;
      // With a restart delay of 0 the swarm has already made the next task: look at every attempt.
      const failed = fresh.find((t) => t.Status.State === 'failed' || t.Status.State === 'rejected');
      if (failed) throw new EngineRejectedError(taskReason(failed), 422);
      await sleep(POLL_MS);
    }
    const reason = latest ? taskReason(latest) : 'no task was created';
    throw new EngineRejectedError(`The swarm did not run it within ${this.options.startTimeoutSeconds}s: ${reason}`, 422);
  }

  /** The customer's internal overlay (no route out, no other customers), made on first use. */
  private async customerNetwork(customerId: string): Promise<string> {
    const name = `berth-net-${customerId}`;
    const find = async () =>
      ((await this.docker.listNetworks({ filters: { name: [name] } })) as { Id: string; Name: string }[]).find((n) => n.Name === name)?.Id;
    const existing = await find();
    if (existing) return existing;
    try {
      const network = await this.docker.createNetwork({
        Name: name,
        Driver: 'overlay',
        Internal: true,
        Attachable: false,
        CheckDuplicate: true,
        Labels: { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE, [LABEL_CUSTOMER_ID]: customerId },
      });
      return network.id;
    } catch (error) {
      // Another process made it at the same moment.
      const raced = (error as { statusCode?: number }).statusCode === 409 ? await find() : undefined;
      if (raced) return raced;
      throw error;
    }
  }
}

interface NodeInfo {
  ID: string;
  Spec?: { Role?: string; Availability?: string };
  Description?: { Hostname?: string; Resources?: { NanoCPUs?: number; MemoryBytes?: number } };
  Status?: { State?: string };
  ManagerStatus?: { Leader?: boolean };
}

function toClusterNode(node: NodeInfo): ClusterNode {
  return {
    id: node.ID,
    hostname: node.Description?.Hostname ?? node.ID,
    role: node.Spec?.Role === 'manager' ? 'manager' : 'worker',
    state: node.Status?.State ?? 'unknown',
    availability: node.Spec?.Availability ?? 'unknown',
    leader: Boolean(node.ManagerStatus?.Leader),
  };
}

function withReplicas(spec: ServiceInfo['Spec'], replicas: number): ServiceInfo['Spec'] {
  return { ...spec, Mode: { Replicated: { Replicas: replicas } } };
}

function taskReason(task: Task): string {
  return task.Status.Err || `task ${task.Status.State}${task.Status.Message ? ` (${task.Status.Message})` : ''}`;
}

/**
 * A service as one container: stopped when scaled to 0, otherwise the state of its newest task
 * meant to run (a task between restarts, or not yet placed, counts as restarting).
 */
function toEngineContainer(service: ServiceInfo, tasks: Task[]): EngineContainer {
  const labels = service.Spec.Labels ?? {};
  const sorted = [...tasks].sort(newestFirst);
  const replicas = service.Spec.Mode?.Replicated?.Replicas ?? 0;
  const current = sorted.find((t) => t.DesiredState === 'running') ?? sorted[0];
  let state: EngineState;
  // Scaled to 0 is stopped, even while the last task is still shutting down.
  if (replicas === 0) state = 'exited';
  else state = current?.Status.State === 'running' ? 'running' : 'restarting';
  const failed = current && ENDED.has(current.Status.State) && current.Status.State !== 'complete';
  return {
    engineId: service.ID,
    instanceId: labels[LABEL_INSTANCE_ID],
    customerId: labels[LABEL_CUSTOMER_ID],
    state,
    exitCode: current?.Status.ContainerStatus?.ExitCode,
    error: failed || (state === 'restarting' && current?.Status.Err) ? taskReason(current!) : undefined,
    nodeId: current?.NodeID || undefined,
    runningOnNodeIds: [...new Set(tasks.filter((t) => t.Status.State === 'running' && t.NodeID).map((t) => t.NodeID!))],
  };
}
