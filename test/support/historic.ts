import { randomBytes } from 'node:crypto';
import type { SqlConnection } from '../../src/prisma/sql-connection';
import { withSqlSession } from '../../src/prisma/sql-connection';

export interface HistoricRow {
  customerId: string;
  createdById?: string;
  name?: string;
  status?: 'RUNNING' | 'STOPPED' | 'MISSING' | 'FAILED';
  engineId?: string | null;
}

/**
 * Writes container rows as the old system left them, owner ids that are not user ids included.
 * The owner foreign key (NOT VALID) refuses such rows today, so they are inserted with
 * triggers (and with them the key check) switched off for this transaction only: exactly how
 * history differs from new writes.
 */
export async function insertHistoricContainers(conn: SqlConnection, rows: HistoricRow[]): Promise<string[]> {
  const ids = rows.map(() => `c${randomBytes(12).toString('hex')}`);
  const quote = (value: string | null | undefined) => (value == null ? 'NULL' : `'${value.replace(/'/g, "''")}'`);
  const values = rows.map((row, i) => {
    const name = row.name ?? `legacy-${ids[i].slice(-6)}`;
    return `(${quote(ids[i])}, ${quote(row.customerId)}, ${quote(row.createdById ?? row.customerId)}, ${quote(name)}, ${quote(name)},
      'localhost/busybox:latest', '{}', 64, 0.25, ${quote(row.status ?? 'STOPPED')}, ${quote(row.engineId ?? null)}, now() - interval '400 days', now())`;
  });
  await withSqlSession(conn, (session) =>
    session.exec(`BEGIN;
      SET LOCAL session_replication_role = replica;
      INSERT INTO "ContainerInstance" ("id", "customerId", "createdById", "name", "activeName", "image", "command",
        "memoryMb", "cpus", "status", "engineId", "createdAt", "updatedAt")
      VALUES ${values.join(',\n')};
      COMMIT;`),
  );
  return ids;
}
