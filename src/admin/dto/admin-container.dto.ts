import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Trim } from '../../common/transforms';
import { CreateContainerDto } from '../../containers/dto/create-container.dto';

export class ReasonDto {
  @ApiPropertyOptional({ description: 'Why: goes into the audit event' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(3, 500)
  reason?: string;
}

/** The one body in berth that names an owner: it must be a User.id, and a reason is required. */
export class AdminCreateContainerDto extends CreateContainerDto {
  @ApiProperty({ description: 'The owner: a User.id (not a username, email or public id)' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  customerId!: string;

  @ApiProperty({ description: 'Why an admin creates this for the customer: goes into the audit event' })
  @Trim()
  @IsString()
  @Length(3, 500)
  reason!: string;

  @ApiPropertyOptional({ description: "Create even beyond the customer's quota (recorded)" })
  @IsOptional()
  @IsBoolean()
  overrideQuota?: boolean;
}

export class TransferContainerDto {
  @ApiProperty({ description: 'The new owner: a User.id' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  toCustomerId!: string;

  @ApiProperty()
  @Trim()
  @IsString()
  @Length(3, 500)
  reason!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  overrideQuota?: boolean;
}
