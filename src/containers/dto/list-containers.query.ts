import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageQuery } from '../../common/page.query';
import type { ContainerStatus } from '../../generated/prisma/client';

/** DELETED containers are kept for the record but never listed. */
export const LISTABLE_STATUSES = ['PROVISIONING', 'RUNNING', 'STOPPED', 'FAILED', 'MISSING'] as const;

export class ListContainersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: LISTABLE_STATUSES })
  @IsOptional()
  @IsIn(LISTABLE_STATUSES, { message: `status must be one of ${LISTABLE_STATUSES.join(', ')}` })
  status?: Exclude<ContainerStatus, 'DELETED'>;
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
