import Docker from 'dockerode';
import { Agent } from 'node:http';
import type { ContainerInspectInfo } from 'dockerode';
import {
  ContainerRuntime,
  ContainerSpec,
  ContainerStats,
  EngineContainer,
  EngineInfo,
  EngineRejectedError,
  EngineState,
  EngineUnavailableError,
  LABEL_CUSTOMER_ID,
  LABEL_INSTANCE_ID,
  LABEL_MANAGED_BY,
  MANAGED_BY_VALUE,
} from './container-runtime';
import { demuxDockerLogs } from './docker-frames';

export interface DockerRuntimeOptions {
  /** `unix:///var/run/docker.sock` or `tcp://host:2375`. */
  host: string;
  networkMode: string;
  pidsLimit: number;
  stopTimeoutSeconds: number;
}

const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EACCES', 'EPIPE']);

function connection(host: string): Docker.DockerOptions {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return { protocol: 'http', host: url.hostname, port: Number(url.port || 2375) };
}

/** dockerode's errors carry `statusCode` when the engine answered, a socket `code` when it did not. */
function translate(error: unknown): Error {
  const e = error as { statusCode?: number; code?: string; json?: { message?: string }; message?: string };
  if (typeof e?.statusCode === 'number') {
    const reason = e.json?.message ?? e.message ?? `engine answered ${e.statusCode}`;
    return new EngineRejectedError(reason.trim(), e.statusCode);
  }
  if (e?.code && UNREACHABLE.has(e.code)) return new EngineUnavailableError(`Container engine unreachable (${e.code})`);
  return error instanceof Error ? error : new Error(String(error));
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}

/** Single-host Docker through dockerode: one engine container per berth container. */
export class DockerRuntime extends ContainerRuntime {
  private readonly docker: Docker;

  constructor(private readonly options: DockerRuntimeOptions) {
    super();
    // No keep-alive: after an engine restart, pooled sockets would fail the next calls with
    // EPIPE/ECONNRESET (read as "engine down"). A fresh local connection costs microseconds.
    this.docker = new Docker({
      ...connection(options.host),
      timeout: 30_000,
      agent: new Agent({ keepAlive: false }),
    } as Docker.DockerOptions);
  }

  async create(spec: ContainerSpec): Promise<string> {
    return this.call(async () => {
      const container = await this.docker.createContainer({
        name: `berth-${spec.instanceId}`,
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
      });
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
      return list.map((item) => ({
        engineId: item.Id,
        instanceId: item.Labels[LABEL_INSTANCE_ID],
        customerId: item.Labels[LABEL_CUSTOMER_ID],
        state: item.State as EngineState,
      }));
    });
  }

  async logs(engineId: string, tail: number): Promise<string> {
    return this.call(async () => {
      const output = (await this.docker
        .getContainer(engineId)
        .logs({ stdout: true, stderr: true, tail, follow: false, timestamps: false })) as unknown as Buffer;
      return demuxDockerLogs(Buffer.isBuffer(output) ? output : Buffer.from(String(output)));
    });
  }

  async stats(engineId: string): Promise<ContainerStats> {
    return this.call(async () => {
      const s = await this.docker.getContainer(engineId).stats({ stream: false });
      const cpuDelta = s.cpu_stats.cpu_usage.total_usage - (s.precpu_stats.cpu_usage?.total_usage ?? 0);
      const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
      const onlineCpus = s.cpu_stats.online_cpus ?? s.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
      const cache = (s.memory_stats.stats as Record<string, number> | undefined)?.inactive_file ?? 0;
      return {
        cpuPercent: systemDelta > 0 && cpuDelta > 0 ? Math.round((cpuDelta / systemDelta) * onlineCpus * 10000) / 100 : 0,
        memoryBytes: Math.max(0, (s.memory_stats.usage ?? 0) - cache),
        memoryLimitBytes: s.memory_stats.limit ?? 0,
        pids: s.pids_stats?.current ?? 0,
      };
    });
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
