import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import { SQL_CONNECTION } from './prisma.tokens';
import type { SqlConnection } from './sql-connection';
import type { DirectSql } from './sql-tx';

const statementNames = new Map<string, string>();

/** A stable name per distinct SQL text (the hot reads come in a handful of shapes). */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `berth_${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`;
    statementNames.set(sql, name);
  }
  return name;
}

type AdapterFactory = NonNullable<Prisma.PrismaClientOptions['adapter']>;

function createAdapter(connection: SqlConnection): AdapterFactory {
  if (connection.kind === 'postgres') return new PrismaPg(connection.pool);
  // pglite-prisma-adapter 0.6 is typed against driver-adapter-utils 6.10; at run time it works
  // with the 6.19 client (it passes arguments through untouched, which PGlite parses itself).
  return new PrismaPGlite(connection.pglite) as unknown as AdapterFactory;
}

/**
 * The one Prisma client of the process, on whichever database AppConfig chose. It owns the raw
 * connection's lifetime: on shutdown it disconnects Prisma, then closes PGlite or the pg pool,
 * so the CLI exits and SIGTERM leaves the embedded database cleanly closed.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(SQL_CONNECTION) private readonly connection: SqlConnection) {
    super({ adapter: createAdapter(connection) });
  }

  /**
   * Runs one parameterised read straight on the driver (pg pool or PGlite), without Prisma's
   * query layer: for the reads every request makes (session check, the container list), where
   * $queryRaw costs ~0.8 ms of CPU against ~0.25 ms for the driver (bench/README.md). Select
   * timestamps as `timestamptz` (`"x" AT TIME ZONE 'UTC'`): pg reads a bare `timestamp` in the
   * process's local time zone, and Prisma stores UTC.
   */
  async directQuery<T>(sql: string, params: unknown[]): Promise<T[]> {
    if (this.connection.kind === 'postgres') {
      // Named, so each pooled connection parses and plans it once, not per request: the server
      // shares the machine's cores with the API (behind PgBouncer, needs its prepared-statement support).
      return (await this.connection.pool.query<T & object>({ name: statementName(sql), text: sql, values: params })).rows;
    }
    return (await this.connection.pglite.query<T>(sql, params)).rows;
  }

  /**
   * A transaction straight on the driver, for the audited writes customers wait on (create and
   * delete a container): each statement through Prisma's interactive transaction costs ~1.5 ms,
   * on the driver ~0.3 ms (bench/README.md). PGlite's transaction holds its one connection, so
   * other statements wait for it, as they do for Prisma's.
   */
  async directTransaction<T>(work: (sql: DirectSql) => Promise<T>): Promise<T> {
    if (this.connection.kind === 'pglite') {
      return this.connection.pglite.transaction((tx) =>
        work({ kind: 'direct', query: async <R>(sql: string, params: unknown[] = []) => (await tx.query<R>(sql, params)).rows }),
      );
    }
    const client = await this.connection.pool.connect();
    let broken: Error | undefined;
    try {
      // Lock waits (quota, audit chain) are bounded as Prisma's transaction timeout bounded them.
      await client.query(`BEGIN; SET LOCAL lock_timeout = '10s'`);
      const result = await work({
        kind: 'direct',
        query: async <R>(sql: string, params: unknown[] = []) =>
          (await client.query<R & object>({ name: statementName(sql), text: sql, values: params })).rows,
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is not given back to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  get databaseKind(): SqlConnection['kind'] {
    return this.connection.kind;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    await this.connection.close();
  }
}
