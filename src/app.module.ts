import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { LoggingModule } from './common/logging.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ContainersModule } from './containers/containers.module';
import { RuntimeModule } from './containers/runtime/runtime.module';
import { HealthModule } from './health/health.module';
import { PrismaModule } from './prisma/prisma.module';
import { UsersModule } from './users/users.module';
import type { SqlConnection } from './prisma/sql-connection';

/**
 * Wires the features. Configuration and database come in from outside, so the HTTP server, the
 * CLI and the tests boot the same modules with their own.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, connection: SqlConnection, extraImports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, PrismaModule.forRoot(connection), RuntimeModule, AuditModule, HealthModule, AuthModule, UsersModule, ContainersModule, AdminModule, ...extraImports],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
