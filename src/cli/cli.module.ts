import { DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { ContainersModule } from '../containers/containers.module';
import { RuntimeModule } from '../containers/runtime/runtime.module';
import { CustomerIdsModule } from '../customer-ids/customer-ids.module';
import { PrismaModule } from '../prisma/prisma.module';
import type { SqlConnection } from '../prisma/sql-connection';
import { AuditCommand, AuditVerifyCommand } from './audit.commands';
import { ContainersCommand, ContainersListCommand, ContainersReconcileCommand } from './containers.commands';
import { CustomerIdsAuditCommand, CustomerIdsCommand, CustomerIdsEnforceCommand, CustomerIdsRemapCommand } from './customer-ids.commands';
import { DbCommand, DbMigrateCommand, DbStatusCommand } from './db.commands';
import { UsersCommand, UsersCreateCommand, UsersListCommand, UsersPromoteCommand } from './users.commands';

export const COMMANDS = [
  DbCommand,
  DbMigrateCommand,
  DbStatusCommand,
  UsersCommand,
  UsersCreateCommand,
  UsersPromoteCommand,
  UsersListCommand,
  ContainersCommand,
  ContainersListCommand,
  ContainersReconcileCommand,
  AuditCommand,
  AuditVerifyCommand,
  CustomerIdsCommand,
  CustomerIdsAuditCommand,
  CustomerIdsRemapCommand,
  CustomerIdsEnforceCommand,
];

/** The same feature modules as the API, without HTTP; commands only call their services. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, connection: SqlConnection): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        PrismaModule.forRoot(connection),
        RuntimeModule,
        AuditModule,
        AuthModule,
        ContainersModule,
        AdminModule,
        CustomerIdsModule,
      ],
      providers: COMMANDS,
    };
  }
}
