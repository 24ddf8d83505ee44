import Docker from 'dockerode';
import { Agent } from 'node:http';
import { inspect } from 'node:util';
import { ContainerStats, EngineRejectedError, EngineUnavailableError } from './container-runtime';
import { demuxDockerLogs } from './docker-frames';

/** Socket-level failures: the engine (or the swarm manager) could not be reached at all. */
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EACCES', 'EPIPE']);

/** A dockerode client for DOCKER_HOST (`unix:///path` or `tcp://host:port`); shared by both adapters. */
export function dockerClient(host: string): Docker {
  const target: Docker.DockerOptions = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : (() => {
        const url = new URL(host.replace(/^tcp:/, 'http:'));
        return { protocol: 'http' as const, host: url.hostname, port: Number(url.port || 2375) };
      })();
  // No keep-alive: after an engine restart, pooled sockets would fail the next calls with
  // EPIPE/ECONNRESET (read as "engine down"). A fresh local connection costs microseconds.
  const agent = new Agent({ keepAlive: false });
  // docker-modem 5 runs util.inspect(options, { showHidden: true, depth: null }) on every call
  // for a debug line it then drops; options hold this agent, and walking it with its live
  // sockets cost ~1.5 ms of CPU per engine call (bench/README.md). It prints as one word.
  Object.defineProperty(agent, inspect.custom, { value: () => 'Agent' });
  return new Docker({ ...target, timeout: 30_000, agent } as Docker.DockerOptions);
}

/**
 * dockerode's errors carry `statusCode` when the engine answered, a socket `code` when it did
 * not. A swarm manager without a leader (quorum lost) answers 503: unavailable, not a refusal.
 */
export function translateEngineError(error: unknown): Error {
  const e = error as { statusCode?: number; code?: string; json?: { message?: string }; message?: string };
  if (typeof e?.statusCode === 'number') {
    const reason = (e.json?.message ?? e.message ?? `engine answered ${e.statusCode}`).trim();
    if (e.statusCode === 503) return new EngineUnavailableError(`Container engine unavailable: ${reason}`);
    return new EngineRejectedError(reason, e.statusCode);
  }
  if (e?.code && UNREACHABLE.has(e.code)) return new EngineUnavailableError(`Container engine unreachable (${e.code})`);
  return error instanceof Error ? error : new Error(String(error));
}

export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}

/** Runs an engine call, turning its failures into the port's error kinds. */
export async function engineCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateEngineError(error);
  }
}

/** Recent stdout and stderr, not followed: the same options for a container and a swarm service. */
export function logOptions(tail: number) {
  return { stdout: true, stderr: true, tail, follow: false as const, timestamps: false };
}

/** Non-TTY logs come back as one framed Buffer (see demuxDockerLogs). */
export function readLogs(output: unknown): string {
  return demuxDockerLogs(Buffer.isBuffer(output) ? output : Buffer.from(String(output)));
}

/** One stats sample of a container on the engine behind `docker` (about 1 s: the engine samples twice). */
export async function readContainerStats(docker: Docker, containerId: string): Promise<ContainerStats> {
  const s = await docker.getContainer(containerId).stats({ stream: false });
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
}
