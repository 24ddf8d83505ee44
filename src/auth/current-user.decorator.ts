import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthUser } from './auth-user';

/**
 * The authenticated caller, put on the request by the global JWT guard. Owner ids come from
 * here and nowhere else. Used on a @Public() route it is a programming error, not a 401.
 */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser => {
  const user = context.switchToHttp().getRequest<Request>().user as AuthUser | undefined;
  if (!user) throw new Error('@CurrentUser() used on a route without authentication');
  return user;
});
