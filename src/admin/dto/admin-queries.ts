import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/page.query';
import type { ContainerStatus, Role } from '../../generated/prisma/client';

const STATUSES = ['PROVISIONING', 'RUNNING', 'STOPPED', 'FAILED', 'MISSING', 'DELETED'] as const;

export class AdminContainersQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(320) customerId?: string;

  @ApiPropertyOptional({ enum: STATUSES, description: 'Default: every status but DELETED' })
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` })
  status?: ContainerStatus;

  @ApiPropertyOptional({ description: 'false: rows whose customerId is not a user id (historic pollution)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsIn([true, false], { message: 'ownerKnown must be true or false' })
  ownerKnown?: boolean;
}

export class AdminUsersQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Part of an email, username, display name or public id' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  query?: string;

  @ApiPropertyOptional({ enum: ['USER', 'ADMIN'] })
  @IsOptional()
  @IsIn(['USER', 'ADMIN'], { message: 'role must be USER or ADMIN' })
  role?: Role;
}

export class AuditQueryDto extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) actorId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(320) customerId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) targetId?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be a date-time' })
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be a date-time' })
  to?: Date;
}
