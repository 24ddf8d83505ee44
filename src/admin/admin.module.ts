import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ContainersModule } from '../containers/containers.module';
import { AdminAuditController } from './admin-audit.controller';
import { AdminContainersController } from './admin-containers.controller';
import { AdminContainersService } from './admin-containers.service';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';
import { OwnerResolver } from './owner-resolver';

@Module({
  imports: [AuthModule, ContainersModule],
  controllers: [AdminContainersController, AdminUsersController, AdminAuditController],
  providers: [AdminContainersService, AdminUsersService, OwnerResolver],
  exports: [AdminContainersService, AdminUsersService],
})
export class AdminModule {}
