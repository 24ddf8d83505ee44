import type Docker from 'dockerode';
import type { ContainerInspectInfo } from 'dockerode';
import {
  ContainerRuntime,
  ContainerSpec,
  ContainerStats,
  EngineContainer,
  EngineInfo,
  EngineState,
  LABEL_CUSTOMER_ID,
  LABEL_INSTANCE_ID,
  LABEL_MANAGED_BY,
  MANAGED_BY_VALUE,
} from './container-runtime';
import { dockerClient, isNotFound, logOptions, readContainerStats, readLogs, translateEngineError as translate } from './docker-client';

export interface DockerRuntimeOptions {
  /** `unix:///var/run/docker.sock` or `tcp://host:2375`. */
  host: string;
  networkMode: string;
  pidsLimit: number;
  stopTimeoutSeconds: number;
}

const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.id';

/** Single-host Docker through dockerode: one engine container per berth container. */
export class DockerRuntime extends ContainerRuntime {
  readonly kind = 'docker';
  private readonly docker: Docker;

  constructor(private readonly options: DockerRuntimeOptions) {
    super();
    this.docker = dockerClient(options.host);
  }

  async create(spec: ContainerSpec): Promise<string> {
    return this.call(async () => {
      const body: Docker.ContainerCreateOptions = {
        Image: spec.image,
        Cmd: spec.command,
        Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
        Labels: {
          [LABEL_MANAGED_BY]: MANAGED_BY_VALUE,
          [LABEL_INSTANCE_ID]: spec.instanceId,
          [LABEL_CUSTOMER_ID]: spec.customerId,
        },
        StopTimeout: this.options.stopTimeoutSeconds,
        HostConfig: {
          Memory: spec.memoryMb * 1024 * 1024,
          MemorySwap: spec.memoryMb * 1024 * 1024, // no swap beyond the limit
          NanoCpus: Math.round(spec.cpus * 1e9),
          PidsLimit: this.options.pidsLimit,
          NetworkMode: this.options.networkMode,
          Privileged: false,
          CapAdd: [],
          SecurityOpt: ['no-new-privileges'],
          Binds: [],
          RestartPolicy: { Name: 'no' },
        },
      };
      // Only the name goes in the query string: docker-modem otherwise copies the whole body there
      // too, and engines log request URLs (the customer's env would land in the engine's logs).
      const container = await this.docker.createContainer({ _query: { name: `berth-${spec.instanceId}` }, _body: body } as never);
      return container.id;
    });
  }

  async start(engineId: string): Promise<void> {
    await this.call(() => this.docker.getContainer(engineId).start(), { notModifiedOk: true });
  }

  async stop(engineId: string): Promise<void> {
    await this.call(() => this.docker.getContainer(engineId).stop({ t: this.options.stopTimeoutSeconds }), { notModifiedOk: true });
  }

  async restart(engineId: string): Promise<void> {
    await this.call(() => this.docker.getContainer(engineId).restart({ t: this.options.stopTimeoutSeconds }));
  }

  async remove(engineId: string): Promise<void> {
    try {
      await this.docker.getContainer(engineId).remove({ force: true, v: true });
    } catch (error) {
      if (!isNotFound(error)) throw translate(error);
    }
  }

  async inspect(engineId: string): Promise<EngineContainer | null> {
    try {
      return toEngineContainer(await this.docker.getContainer(engineId).inspect());
    } catch (error) {
      if (isNotFound(error)) return null;
      throw translate(error);
    }
  }

  async listManaged(): Promise<EngineContainer[]> {
    return this.call(async () => {
      const list = await this.docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE}`] },
      });
      // A swarm task container carries the labels too, but belongs to its service (SwarmRuntime's).
      return list.filter((item) => !item.Labels[SWARM_SERVICE_LABEL]).map((item) => ({
        engineId: item.Id,
        instanceId: item.Labels[LABEL_INSTANCE_ID],
        customerId: item.Labels[LABEL_CUSTOMER_ID],
        state: item.State as EngineState,
      }));
    });
  }

  async logs(engineId: string, tail: number): Promise<string> {
    return this.call(async () => readLogs(await this.docker.getContainer(engineId).logs(logOptions(tail))));
  }

  async stats(engineId: string): Promise<ContainerStats> {
    return this.call(() => readContainerStats(this.docker, engineId));
  }

  async info(): Promise<EngineInfo> {
    return this.call(async () => {
      const info = await this.docker.info();
      return { version: String(info.ServerVersion), cpus: Number(info.NCPU), memoryBytes: Number(info.MemTotal) };
    });
  }

  /** Runs an engine call, turning its failures into the port's two error kinds. */
  private async call<T>(work: () => Promise<T>, options: { notModifiedOk?: boolean } = {}): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // 304: already started / already stopped; the caller got what it wanted.
      if (options.notModifiedOk && (error as { statusCode?: number })?.statusCode === 304) return undefined as T;
      throw translate(error);
    }
  }
}

function toEngineContainer(info: ContainerInspectInfo): EngineContainer {
  const labels = info.Config.Labels ?? {};
  return {
    engineId: info.Id,
    instanceId: labels[LABEL_INSTANCE_ID],
    customerId: labels[LABEL_CUSTOMER_ID],
    state: info.State.Status as EngineState,
    exitCode: info.State.ExitCode,
    oomKilled: info.State.OOMKilled,
    error: info.State.Error || undefined,
  };
}
