import { SetMetadata } from '@nestjs/common';
import type { Role } from '../generated/prisma/client';

export const ROLES = 'berth:roles';

/** Restricts a route (or controller) to callers holding one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);
