import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { Trim } from '../../common/transforms';
import { ENGINE_MIN_CPUS, ENGINE_MIN_MEMORY_MB } from '../../config/app-config';
import { IsEnvMap } from './is-env-map.validator';

export const CONTAINER_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;

/**
 * What a customer may ask for. There is deliberately no `customerId` here: the owner is the
 * caller. Unknown fields (customerId, createdById, status, id, …) are stripped by the
 * ValidationPipe; a sent customerId is noticed and logged by the controller.
 * Upper bounds for memory and cpus come from configuration and are checked by the service.
 */
export class CreateContainerDto {
  @ApiProperty({ example: 'web-1', description: '2-63 of a-z 0-9 -, unique among your containers' })
  @Trim()
  @IsString()
  @Matches(CONTAINER_NAME_PATTERN, {
    message: 'name must be 2-63 characters of a-z, 0-9 and -, starting and ending with a letter or digit',
  })
  name!: string;

  @ApiProperty({ example: 'localhost/busybox:latest', description: 'One of the allowed images' })
  @Trim()
  @IsString()
  @MaxLength(255)
  image!: string;

  @ApiPropertyOptional({ type: [String], example: ['sh', '-c', 'echo hello; sleep 3600'], description: 'Exec form' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(4096, { each: true })
  command?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { GREETING: 'hello' } })
  @IsOptional()
  @IsObject()
  @IsEnvMap()
  env?: Record<string, string>;

  @ApiPropertyOptional({ minimum: ENGINE_MIN_MEMORY_MB, example: 64 })
  @IsOptional()
  @IsInt()
  @Min(ENGINE_MIN_MEMORY_MB)
  memoryMb?: number;

  @ApiPropertyOptional({ minimum: ENGINE_MIN_CPUS, example: 0.25 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(ENGINE_MIN_CPUS)
  cpus?: number;
}
