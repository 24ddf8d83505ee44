import { Module } from '@nestjs/common';
import { CustomerIdsService } from './customer-ids.service';

@Module({ providers: [CustomerIdsService], exports: [CustomerIdsService] })
export class CustomerIdsModule {}
