import { randomBytes } from 'node:crypto';

/** Raised when the environment cannot produce a valid configuration; main.ts prints it as one line. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Where the data lives. Parsed once from DATABASE_URL so nothing else re-reads the string. */
export type DatabaseTarget =
  | { kind: 'pglite'; dataDir: string | null /* null = in memory */ }
  | { kind: 'postgres'; url: string };

/**
 * The whole typed configuration. Built once from the environment by `loadConfig` and provided
 * to Nest as an injectable value: services ask for `AppConfig`, never for `process.env`.
 */
export class AppConfig {
  readonly nodeEnv!: NodeEnv;
  readonly host!: string;
  readonly port!: number;
  readonly database!: DatabaseTarget;
  /** Apply pending migrations when the app starts (DB_MIGRATE_ON_START). */
  readonly migrateOnStart!: boolean;
  readonly jwt!: {
    accessSecret: string;
    /** True when no secret was configured and one was generated for this process (development only). */
    accessSecretGenerated: boolean;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
  };
  /** Failed logins allowed per window, per client address and per login name. */
  readonly loginThrottle!: { maxFailuresPerIp: number; maxFailuresPerLogin: number; windowSeconds: number };
  readonly logLevel!: LogLevel;
  /** The container engine: DOCKER_HOST, `unix:///path` or `tcp://host:port`, as the docker CLI reads it. */
  readonly docker!: { host: string };
  /**
   * CONTAINER_RUNTIME: `docker` runs each container on the engine at DOCKER_HOST; `swarm` makes
   * each one a service on the swarm whose manager is at DOCKER_HOST.
   */
  readonly runtime!: 'docker' | 'swarm';
  readonly swarm!: {
    /** SWARM_NETWORK: `none` (loopback only) or `per-customer` (an internal overlay per customer). */
    network: 'none' | 'per-customer';
    /** SWARM_CONSTRAINTS: comma-separated placement constraints, e.g. `node.role==worker`. */
    constraints: string[];
    startTimeoutSeconds: number;
    restartDelaySeconds: number;
  };
  /** How customer containers run on the engine, and what customers may ask for. */
  readonly containers!: {
    networkMode: string;
    pidsLimit: number;
    stopTimeoutSeconds: number;
    /** Images customers may run, exactly as written (`localhost/busybox:latest`). */
    allowedImages: string[];
    defaultMemoryMb: number;
    maxMemoryMb: number;
    defaultCpus: number;
    maxCpus: number;
    /** Seconds between reconciliation runs; 0 turns the timer off (on demand only). */
    reconcileIntervalSeconds: number;
  };
  /** Default per-customer quota over containers that are not FAILED or DELETED. */
  readonly quota!: { maxContainers: number; maxMemoryMb: number; maxCpus: number };
  readonly http!: { bodyLimitBytes: number; trustProxy: boolean; shutdownTimeoutMs: number };

  constructor(values: AppConfigValues) {
    Object.assign(this, values);
    Object.freeze(this);
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }
}

export type AppConfigValues = Omit<AppConfig, 'isProduction'>;

type Env = Record<string, string | undefined>;

const NODE_ENVS: readonly NodeEnv[] = ['development', 'production', 'test'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** Values people paste from examples; production refuses them as secrets. */
const PLACEHOLDER_SECRET = /change[-_ ]?me|placeholder|example|secret|^x+$|^(.)\1*$/i;
const MIN_SECRET_LENGTH = 32;

function readString(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = readString(env, name, fallback);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readString(env, name, String(fallback));
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = readString(env, name, String(fallback)).toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Durations are written like `900`, `90s`, `15m`, `12h` or `30d`; returns seconds. */
function readDuration(env: Env, name: string, fallback: string, maxSeconds: number): number {
  const raw = readString(env, name, fallback);
  const match = /^(\d+)([smhd]?)$/.exec(raw);
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2] || 's'] : NaN;
  if (!match || seconds < 1 || seconds > maxSeconds) {
    throw new ConfigError(name, `must be a duration like 900, 15m, 12h or 30d, at most ${maxSeconds}s (got "${raw}")`);
  }
  return seconds;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

function readSize(env: Env, name: string, fallback: string): number {
  const raw = readString(env, name, fallback).toLowerCase();
  const match = /^(\d+)(b|kb|mb)?$/.exec(raw);
  const bytes = match ? Number(match[1]) * SIZE_UNITS[match[2] ?? 'b'] : NaN;
  if (!match || bytes < 1024 || bytes > 64 * 1024 * 1024) {
    throw new ConfigError(name, `must be a size from 1kb to 64mb such as 100kb (got "${raw}")`);
  }
  return bytes;
}

/**
 * DATABASE_URL forms:
 *   unset               PGlite in ./data/pglite (survives restarts)
 *   memory              PGlite in memory (throwaway; tests)
 *   file:<dir>          PGlite in <dir>
 *   postgres[ql]://...  PostgreSQL through @prisma/adapter-pg
 */
export function parseDatabaseUrl(raw: string | undefined): DatabaseTarget {
  const value = raw?.trim() ?? '';
  if (value === '') return { kind: 'pglite', dataDir: './data/pglite' };
  if (value === 'memory' || value === 'memory://') return { kind: 'pglite', dataDir: null };
  if (value.startsWith('file:')) {
    const dir = value.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (dir === '') throw new ConfigError('DATABASE_URL', 'file: needs a directory, e.g. file:./data/pglite');
    return { kind: 'pglite', dataDir: dir };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgresql:// URL');
    }
    return { kind: 'postgres', url: value };
  }
  throw new ConfigError('DATABASE_URL', 'must be empty, "memory", "file:<dir>" or a postgresql:// URL');
}

function readNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readString(env, name, String(fallback));
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

/** Docker refuses less than 6 MB of memory and less than 0.01 CPU. */
export const ENGINE_MIN_MEMORY_MB = 6;
export const ENGINE_MIN_CPUS = 0.01;

function readContainers(env: Env): AppConfig['containers'] {
  const maxMemoryMb = readInt(env, 'CONTAINER_MAX_MEMORY_MB', 1024, ENGINE_MIN_MEMORY_MB, 16_777_216);
  const maxCpus = readNumber(env, 'CONTAINER_MAX_CPUS', 1, ENGINE_MIN_CPUS, 1024);
  const allowedImages = readString(env, 'CONTAINER_IMAGES', 'localhost/busybox:latest')
    .split(',')
    .map((image) => image.trim())
    .filter(Boolean);
  return {
    networkMode: readString(env, 'CONTAINER_NETWORK_MODE', 'none'),
    pidsLimit: readInt(env, 'CONTAINER_PIDS_LIMIT', 256, 16, 65536),
    stopTimeoutSeconds: readDuration(env, 'CONTAINER_STOP_TIMEOUT', '10s', 300),
    allowedImages,
    defaultMemoryMb: readInt(env, 'CONTAINER_DEFAULT_MEMORY_MB', Math.min(64, maxMemoryMb), ENGINE_MIN_MEMORY_MB, maxMemoryMb),
    maxMemoryMb,
    defaultCpus: readNumber(env, 'CONTAINER_DEFAULT_CPUS', Math.min(0.25, maxCpus), ENGINE_MIN_CPUS, maxCpus),
    maxCpus,
    reconcileIntervalSeconds: readInt(env, 'RECONCILE_INTERVAL_SECONDS', 60, 0, 86400),
  };
}

function readDockerHost(env: Env): string {
  const host = readString(env, 'DOCKER_HOST', 'unix:///var/run/docker.sock');
  if (/^unix:\/\/\/.+/.test(host) || /^tcp:\/\/[^/]+$/.test(host)) return host;
  throw new ConfigError('DOCKER_HOST', `must be unix:///path/to/docker.sock or tcp://host:port (got "${host}")`);
}

function readAccessSecret(env: Env, nodeEnv: NodeEnv): { secret: string; generated: boolean } {
  const secret = env.JWT_ACCESS_SECRET?.trim() ?? '';
  if (nodeEnv === 'production') {
    if (secret === '') throw new ConfigError('JWT_ACCESS_SECRET', 'is required in production');
    if (secret.length < MIN_SECRET_LENGTH || PLACEHOLDER_SECRET.test(secret)) {
      throw new ConfigError(
        'JWT_ACCESS_SECRET',
        `looks like a placeholder; use at least ${MIN_SECRET_LENGTH} random characters (openssl rand -base64 48)`,
      );
    }
    return { secret, generated: false };
  }
  if (secret !== '') return { secret, generated: false };
  // Development and tests: a per-process secret, so tokens simply stop working after a restart.
  return { secret: randomBytes(48).toString('base64url'), generated: true };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = readEnum(env, 'NODE_ENV', NODE_ENVS, 'development');
  const access = readAccessSecret(env, nodeEnv);
  return new AppConfig({
    nodeEnv,
    host: readString(env, 'HOST', '0.0.0.0'),
    port: readInt(env, 'PORT', 3000, 0, 65535),
    database: parseDatabaseUrl(env.DATABASE_URL),
    migrateOnStart: readBool(env, 'DB_MIGRATE_ON_START', true),
    jwt: {
      accessSecret: access.secret,
      accessSecretGenerated: access.generated,
      accessTtlSeconds: readDuration(env, 'JWT_ACCESS_TTL', '15m', 24 * 3600),
      refreshTtlSeconds: readDuration(env, 'JWT_REFRESH_TTL', '30d', 365 * 86400),
    },
    loginThrottle: {
      maxFailuresPerIp: readInt(env, 'LOGIN_MAX_FAILURES_PER_IP', 20, 1, 1_000_000),
      maxFailuresPerLogin: readInt(env, 'LOGIN_MAX_FAILURES_PER_LOGIN', 5, 1, 1_000_000),
      windowSeconds: readDuration(env, 'LOGIN_THROTTLE_WINDOW', '60s', 86400),
    },
    logLevel: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info'),
    docker: { host: readDockerHost(env) },
    runtime: readEnum(env, 'CONTAINER_RUNTIME', ['docker', 'swarm'] as const, 'docker'),
    swarm: {
      network: readEnum(env, 'SWARM_NETWORK', ['none', 'per-customer'] as const, 'none'),
      constraints: readString(env, 'SWARM_CONSTRAINTS', '')
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
      startTimeoutSeconds: readDuration(env, 'SWARM_START_TIMEOUT', '60s', 3600),
      restartDelaySeconds: readInt(env, 'SWARM_RESTART_DELAY_SECONDS', 5, 0, 3600),
    },
    containers: readContainers(env),
    quota: {
      maxContainers: readInt(env, 'QUOTA_MAX_CONTAINERS', 10, 0, 100_000),
      maxMemoryMb: readInt(env, 'QUOTA_MAX_MEMORY_MB', 2048, 0, 16_777_216),
      maxCpus: readNumber(env, 'QUOTA_MAX_CPUS', 4, 0, 100_000),
    },
    http: {
      bodyLimitBytes: readSize(env, 'HTTP_BODY_LIMIT', '100kb'),
      trustProxy: readBool(env, 'TRUST_PROXY', false),
      shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 120000),
    },
  });
}
