import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { ContainerStatus } from '../../generated/prisma/client';

/** DELETED containers are kept for the record but never listed. */
export const LISTABLE_STATUSES = ['PROVISIONING', 'RUNNING', 'STOPPED', 'FAILED', 'MISSING'] as const;

export class ListContainersQuery {
  @ApiPropertyOptional({ enum: LISTABLE_STATUSES })
  @IsOptional()
  @IsIn(LISTABLE_STATUSES, { message: `status must be one of ${LISTABLE_STATUSES.join(', ')}` })
  status?: Exclude<ContainerStatus, 'DELETED'>;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize: number = 20;
}

export class LogsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  tail: number = 100;
}
