import type { AppConfig } from '../config/app-config';
import { Migrator } from './migrator';
import { openSqlConnection, SqlConnection } from './sql-connection';

/** Opens the configured database and, unless DB_MIGRATE_ON_START=false, applies pending migrations. */
export async function openDatabase(config: AppConfig, log: (message: string) => void): Promise<SqlConnection> {
  const connection = await openSqlConnection(config.database);
  if (!config.migrateOnStart) return connection;
  try {
    await new Migrator(connection, undefined, log).migrate();
    return connection;
  } catch (error) {
    await connection.close();
    throw error;
  }
}
