import { PickType } from '@nestjs/swagger';
import { RegisterDto } from '../../auth/dto/register.dto';

/** Only the names can change here; email, username and role have their own paths (or none). */
export class UpdateProfileDto extends PickType(RegisterDto, ['firstName', 'lastName', 'displayName'] as const) {}
