import type { Prisma } from '../generated/prisma/client';

/** Statements straight on the driver, inside one transaction (PrismaService.directTransaction). */
export interface DirectSql {
  readonly kind: 'direct';
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** A transaction of either kind: code that joins a caller's transaction (audit, quota) takes both. */
export type SqlTx = Prisma.TransactionClient | DirectSql;

/** One way to run SQL on either kind of transaction (positional parameters, $1…). */
export function sqlOf(tx: SqlTx): DirectSql {
  if ((tx as DirectSql).kind === 'direct') return tx as DirectSql;
  const prisma = tx as Prisma.TransactionClient;
  return { kind: 'direct', query: <T>(sql: string, params: unknown[] = []) => prisma.$queryRawUnsafe<T[]>(sql, ...params) };
}
