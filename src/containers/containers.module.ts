import { Module } from '@nestjs/common';
import { ContainersController } from './containers.controller';
import { ContainersService } from './containers.service';
import { QuotaService } from './quota.service';
import { ReconciliationService } from './reconciliation.service';

@Module({
  controllers: [ContainersController],
  providers: [ContainersService, QuotaService, ReconciliationService],
  exports: [ContainersService, ReconciliationService, QuotaService],
})
export class ContainersModule {}
