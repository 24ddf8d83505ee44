import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { DomainError } from '../common/domain-error';
import './auth-user'; // req.user's type
import { IS_PUBLIC } from './public.decorator';
import { AccessTokenClaims, SessionsService } from './sessions.service';

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const UNAUTHORIZED = () => new DomainError('UNAUTHORIZED', 'Missing, invalid or expired access token');

/**
 * Registered globally: every route needs a valid access token unless it is marked @Public().
 * Deny by default means a forgotten decorator fails closed.
 *
 * The token is an HS256 JWT checked by @nestjs/jwt (jsonwebtoken): HS256 only, so `alg: none`
 * and algorithm swaps are refused, expiry enforced. Then the session and user are loaded fresh
 * for this request. No passport: for one bearer scheme its per-request strategy machinery was
 * ~4% of the hot list route's CPU (bench/README.md) and did nothing this guard does not.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request>();
    request.user = await this.sessions.authenticate(this.verify(request.headers.authorization));
    return true;
  }

  private verify(header: string | undefined): AccessTokenClaims {
    const token = header && BEARER.exec(header)?.[1];
    if (!token) throw UNAUTHORIZED();
    try {
      return this.jwt.verify<AccessTokenClaims>(token); // HS256 only: AuthModule's verifyOptions
    } catch {
      throw UNAUTHORIZED();
    }
  }
}
