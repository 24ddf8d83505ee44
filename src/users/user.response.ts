import { ApiProperty } from '@nestjs/swagger';
import type { Role, User } from '../generated/prisma/client';
import { userLabel } from './user-label';

/**
 * A user as the API shows it. Built field by field from the row, so a column added to User
 * (passwordHash today, anything tomorrow) never reaches a client by accident.
 */
export class UserResponse {
  @ApiProperty({ example: 'cmk07b7n40000abcd1234efgh' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ type: String, nullable: true }) firstName!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastName!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty({ example: 'u001', description: 'For support and invoices; never an owner id' }) publicCustomerId!: string;
  @ApiProperty({ enum: ['USER', 'ADMIN'] }) role!: Role;
  @ApiProperty({ example: 'Jester (jester) • cmk07b7n4' }) label!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    displayName: user.displayName,
    publicCustomerId: user.publicCustomerId,
    role: user.role,
    label: userLabel(user),
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
