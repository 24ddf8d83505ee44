import { ConfigError, loadConfig, parseDatabaseUrl } from './app-config';

const STRONG_SECRET = 'k3Jd9s0Qm2Lx7Vb4Nw8Zr1Tg5Hy6Pc0Ae3Uf9Wq2';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has working defaults for development', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      database: { kind: 'pglite', dataDir: './data/pglite' },
      migrateOnStart: true,
      logLevel: 'info',
      docker: { host: 'unix:///var/run/docker.sock' },
      runtime: 'docker',
      swarm: { network: 'none', constraints: [] },
    });
    expect(config.jwt.accessTtlSeconds).toBe(900);
    expect(config.jwt.refreshTtlSeconds).toBe(30 * 86400);
    expect(config.http.bodyLimitBytes).toBe(100 * 1024);
  });

  it('reads the swarm runtime settings', () => {
    const config = loadConfig({ CONTAINER_RUNTIME: 'swarm', SWARM_NETWORK: 'per-customer', SWARM_CONSTRAINTS: 'node.role==worker, node.labels.pool==a' });
    expect(config.runtime).toBe('swarm');
    expect(config.swarm).toMatchObject({ network: 'per-customer', constraints: ['node.role==worker', 'node.labels.pool==a'] });
  });

  it('generates a random development secret and says so', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.jwt.accessSecretGenerated).toBe(true);
    expect(a.jwt.accessSecret.length).toBeGreaterThanOrEqual(32);
    expect(a.jwt.accessSecret).not.toBe(b.jwt.accessSecret);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DB_MIGRATE_ON_START: 'maybe' }, 'DB_MIGRATE_ON_START'],
    [{ JWT_ACCESS_TTL: '15 minutes' }, 'JWT_ACCESS_TTL'],
    [{ HTTP_BODY_LIMIT: '1gb' }, 'HTTP_BODY_LIMIT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DOCKER_HOST: '/var/run/docker.sock' }, 'DOCKER_HOST'],
    [{ CONTAINER_RUNTIME: 'kubernetes' }, 'CONTAINER_RUNTIME'],
    [{ SWARM_NETWORK: 'bridge' }, 'SWARM_NETWORK'],
  ])('refuses %j naming %s', (env, variable) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(error.message).not.toContain('\n');
  });

  describe('in production', () => {
    it('requires a JWT secret', () => {
      expect(configError({ NODE_ENV: 'production' }).message).toContain('JWT_ACCESS_SECRET is required');
    });

    it.each(['change-me', 'changeme-changeme-changeme-changeme-1', 'short', 'x'.repeat(40), 'my-super-secret-jwt-key-for-production'])(
      'refuses the placeholder %s',
      (secret) => {
        expect(configError({ NODE_ENV: 'production', JWT_ACCESS_SECRET: secret }).variable).toBe('JWT_ACCESS_SECRET');
      },
    );

    it('accepts a strong secret', () => {
      const config = loadConfig({ NODE_ENV: 'production', JWT_ACCESS_SECRET: STRONG_SECRET });
      expect(config.isProduction).toBe(true);
      expect(config.jwt).toMatchObject({ accessSecret: STRONG_SECRET, accessSecretGenerated: false });
    });
  });
});

describe('parseDatabaseUrl', () => {
  it.each([
    [undefined, { kind: 'pglite', dataDir: './data/pglite' }],
    ['', { kind: 'pglite', dataDir: './data/pglite' }],
    ['memory', { kind: 'pglite', dataDir: null }],
    ['file:./var/db', { kind: 'pglite', dataDir: './var/db' }],
    ['file:///srv/berth', { kind: 'pglite', dataDir: '/srv/berth' }],
    ['postgresql://u:p@db:5432/berth', { kind: 'postgres', url: 'postgresql://u:p@db:5432/berth' }],
    ['postgres://u@db/berth', { kind: 'postgres', url: 'postgres://u@db/berth' }],
  ])('reads %s', (raw, expected) => {
    expect(parseDatabaseUrl(raw)).toEqual(expected);
  });
});
