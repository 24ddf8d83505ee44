import { DynamicModule, Global, Module } from '@nestjs/common';
import { LeaseService } from './lease.service';
import { PrismaService } from './prisma.service';
import { SQL_CONNECTION } from './prisma.tokens';
import type { SqlConnection } from './sql-connection';

/**
 * The database is opened (and migrated) before Nest boots, see openDatabase(): a database that
 * is locked, unreachable or refuses a migration then stops startup with one clear line instead
 * of a half-built application.
 */
@Global()
@Module({})
export class PrismaModule {
  static forRoot(connection: SqlConnection): DynamicModule {
    return {
      module: PrismaModule,
      providers: [{ provide: SQL_CONNECTION, useValue: connection }, PrismaService, LeaseService],
      exports: [PrismaService, LeaseService, SQL_CONNECTION],
    };
  }
}
