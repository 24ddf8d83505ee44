import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { TrimLower, TrimToNull } from '../../common/transforms';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{2,31}$/;
const NO_CONTROL_CHARS = /^[^\p{Cc}]*$/u;

/** Anything else in the body (id, role, publicCustomerId, passwordHash, …) is stripped. */
export class RegisterDto {
  @ApiProperty({ example: 'jester@example.com' })
  @TrimLower()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email!: string;

  @ApiProperty({ example: 'jester', description: '3-32 of a-z 0-9 _ . -, starting with a letter or digit' })
  @TrimLower()
  @IsString()
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 3-32 characters of a-z, 0-9, _ . - and start with a letter or digit',
  })
  username!: string;

  @ApiProperty({ minLength: 10, maxLength: 128 })
  @IsString()
  @Length(10, 128, { message: 'password must be 10 to 128 characters' })
  password!: string;

  @ApiPropertyOptional() @IsOptional() @TrimToNull() @IsString() @MaxLength(64) @Matches(NO_CONTROL_CHARS, { message: 'firstName must not contain control characters' })
  firstName?: string | null;

  @ApiPropertyOptional() @IsOptional() @TrimToNull() @IsString() @MaxLength(64) @Matches(NO_CONTROL_CHARS, { message: 'lastName must not contain control characters' })
  lastName?: string | null;

  @ApiPropertyOptional() @IsOptional() @TrimToNull() @IsString() @MaxLength(64) @Matches(NO_CONTROL_CHARS, { message: 'displayName must not contain control characters' })
  displayName?: string | null;
}
