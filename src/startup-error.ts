import { ConfigError } from './config/app-config';
import { MigrationError } from './prisma/migrator';
import { DatabaseInUseError } from './prisma/sql-connection';

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  '28P01': 'password authentication failed',
  '28000': 'authentication refused',
  '3D000': 'database does not exist',
};

/**
 * One line for the mistakes an operator makes (bad env, database down or locked, an edited
 * migration); undefined for real bugs, whose stack is worth printing.
 */
export function describeStartupError(error: unknown): string | undefined {
  if (error instanceof ConfigError || error instanceof MigrationError || error instanceof DatabaseInUseError) {
    return error.message;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in CONNECTION_CODES) {
    return `Cannot use the database (${CONNECTION_CODES[code]}): ${(error as Error).message}`;
  }
  return undefined;
}

/** Prints the error (one line when it is an operator's mistake) and exits with status 1. */
export function exitOnStartupError(error: unknown): never {
  const line = describeStartupError(error);
  console.error(line ? `berth: ${line}` : error);
  process.exit(1);
}
