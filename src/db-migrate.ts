// `npm run db:migrate`: apply pending migrations to the configured database and exit.
// (The `berth db migrate` CLI command will call the same Migrator.)
import { existsSync } from 'node:fs';
import { loadConfig } from './config/app-config';
import { exitOnStartupError } from './startup-error';
import { Migrator } from './prisma/migrator';
import { openSqlConnection } from './prisma/sql-connection';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const connection = await openSqlConnection(config.database);
  try {
    const applied = await new Migrator(connection, undefined, (message) => console.error(message)).migrate();
    console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date');
  } finally {
    await connection.close();
  }
}

main().catch(exitOnStartupError);
