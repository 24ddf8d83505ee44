import { describeIf } from './describe-if';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Tests that need a real PostgreSQL read TEST_POSTGRES_URL (an account that may create
 * databases); .ci/run starts a server and sets it. Without it those tests are skipped with a
 * printed reason, so `npm test` still passes on a machine with PGlite only.
 */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL;

export const NO_POSTGRES = 'TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)';
export const describeOnPostgres = describeIf(Boolean(POSTGRES_URL), NO_POSTGRES);

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A brand-new, empty database on the test server, dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (!POSTGRES_URL) throw new Error('TEST_POSTGRES_URL is not set');
  const name = `berth_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
