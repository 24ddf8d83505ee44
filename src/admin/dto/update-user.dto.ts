import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { Trim } from '../../common/transforms';
import type { Role } from '../../generated/prisma/client';

/** A quota override per field; null puts that field back to the configured default. */
export class QuotaOverrideDto {
  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  maxContainers?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(16_777_216)
  maxMemoryMb?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100_000)
  maxCpus?: number | null;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ['USER', 'ADMIN'] })
  @IsOptional()
  @IsIn(['USER', 'ADMIN'], { message: 'role must be USER or ADMIN' })
  role?: Role;

  @ApiPropertyOptional({ description: 'true ends every session of the user at once' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ type: QuotaOverrideDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuotaOverrideDto)
  quota?: QuotaOverrideDto;

  @ApiPropertyOptional({ description: 'Why: goes into the audit events' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(3, 500)
  reason?: string;
}
