import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError } from '../common/domain-error';
import type { Role } from '../generated/prisma/client';
import type { AuthUser } from './auth-user';
import { ROLES } from './roles.decorator';

/** Registered globally after JwtAuthGuard: enforces @Roles() with the role loaded for this request. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [context.getHandler(), context.getClass()]);
    if (!roles?.length) return true;
    const user = context.switchToHttp().getRequest<Request>().user as AuthUser | undefined;
    if (!user) throw new DomainError('UNAUTHORIZED', 'Missing, invalid or expired access token');
    if (!roles.includes(user.role)) throw new DomainError('FORBIDDEN', `Requires role ${roles.join(' or ')}`);
    return true;
  }
}
