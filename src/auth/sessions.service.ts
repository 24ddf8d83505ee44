import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import type { Prisma, User } from '../generated/prisma/client';
import { AuditService } from '../audit/audit.service';
import { PrismaService } from '../prisma/prisma.service';
import { userLabel } from '../users/user-label';
import type { AuthUser } from './auth-user';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Access token lifetime in seconds. */
  expiresIn: number;
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

/** What an access token carries: the user and the session it belongs to. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
}

export type SessionEndReason = 'logout' | 'password_changed' | 'refresh_token_reuse' | 'account_disabled';

const REFRESH_TOKEN_BYTES = 32;

/** Refresh tokens are 256 random bits; a fast hash is enough to store them safely. */
function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const INVALID_TOKEN = () => new DomainError('UNAUTHORIZED', 'Invalid or expired access token');
const INVALID_REFRESH = () => new DomainError('INVALID_REFRESH_TOKEN', 'Invalid or expired refresh token');

/**
 * Sessions and their tokens. A session row is the source of truth: access tokens name it
 * (`sid`) and are refused as soon as it ends; refresh tokens rotate on every use and a reused
 * one ends the whole session.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** `db`: the caller's transaction, when the session is part of a larger change. */
  async start(userId: string, client: ClientInfo, db: Prisma.TransactionClient = this.prisma): Promise<TokenPair> {
    const refreshToken = this.newRefreshToken();
    const session = await db.session.create({
      data: {
        userId,
        expiresAt: new Date(Date.now() + this.config.jwt.refreshTtlSeconds * 1000),
        ip: client.ip?.slice(0, 100),
        userAgent: client.userAgent?.slice(0, 500),
        refreshTokens: { create: { tokenHash: hashRefreshToken(refreshToken) } },
      },
    });
    return this.pair(userId, session.id, refreshToken);
  }

  /** Trades a refresh token for a new pair; the presented one stops working. */
  async rotate(refreshToken: string): Promise<TokenPair & { user: User }> {
    const stored = await this.prisma.refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(refreshToken) },
      include: { session: { include: { user: true } } },
    });
    if (!stored) throw INVALID_REFRESH();
    const { session } = stored;
    if (session.revokedAt || session.expiresAt <= new Date() || session.user.disabledAt) throw INVALID_REFRESH();

    const next = this.newRefreshToken();
    const rotated = await this.prisma.$transaction(async (tx) => {
      // Conditional: of two requests racing with the same token, exactly one wins.
      const { count } = await tx.refreshToken.updateMany({
        where: { id: stored.id, usedAt: null },
        data: { usedAt: new Date() },
      });
      if (count === 0) return false;
      await tx.refreshToken.create({ data: { sessionId: session.id, tokenHash: hashRefreshToken(next) } });
      return true;
    });
    if (!rotated) {
      // The token was already used: someone else holds a copy. End the session for everyone.
      await this.prisma.$transaction(async (tx) => {
        await this.end(session.id, 'refresh_token_reuse', tx);
        await this.audit.record(tx, {
          action: 'auth.refresh_token_reused',
          actor: null,
          customerId: session.userId,
          targetType: 'session',
          targetId: session.id,
        });
      });
      throw new DomainError('REFRESH_TOKEN_REUSED', 'Refresh token was already used; the session has been ended');
    }
    return { ...this.pair(session.userId, session.id, next), user: session.user };
  }

  async end(sessionId: string, reason: SessionEndReason, db: Prisma.TransactionClient = this.prisma): Promise<void> {
    await db.session.updateMany({
      where: { id: sessionId, revokedAt: null },
      data: { revokedAt: new Date(), revokedReason: reason },
    });
  }

  /** Ends every live session of the user, except `keepSessionId` when given. */
  async endAllForUser(
    userId: string,
    reason: SessionEndReason,
    keepSessionId?: string,
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<number> {
    const { count } = await db.session.updateMany({
      where: { userId, revokedAt: null, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) },
      data: { revokedAt: new Date(), revokedReason: reason },
    });
    return count;
  }

  /**
   * Loads the caller behind verified token claims, checking on every request that the session
   * is live and the user exists and is enabled.
   */
  async authenticate(claims: AccessTokenClaims): Promise<AuthUser> {
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string') throw INVALID_TOKEN();
    // Every authenticated request runs this: one query straight on the driver (a Prisma model
    // query costs ~3 ms of CPU in its query compiler here, $queryRaw ~0.8 ms; see bench/README.md).
    const [user] = await this.prisma.directQuery<User>(
      `SELECT u."id", u."email", u."username", u."passwordHash", u."firstName", u."lastName", u."displayName",
              u."createdAt" AT TIME ZONE 'UTC' AS "createdAt", u."updatedAt" AT TIME ZONE 'UTC' AS "updatedAt",
              u."role"::text AS "role", u."publicCustomerId", u."disabledAt" AT TIME ZONE 'UTC' AS "disabledAt"
         FROM "Session" s JOIN "User" u ON u."id" = s."userId"
        WHERE s."id" = $1 AND s."userId" = $2
          AND s."revokedAt" IS NULL AND s."expiresAt" > now() AT TIME ZONE 'UTC' AND u."disabledAt" IS NULL`,
      [claims.sid, claims.sub],
    );
    if (!user) throw INVALID_TOKEN();
    return { id: user.id, role: user.role, sessionId: claims.sid, label: userLabel(user), record: user };
  }

  private pair(userId: string, sessionId: string, refreshToken: string): TokenPair {
    const claims: AccessTokenClaims = { sub: userId, sid: sessionId };
    return {
      accessToken: this.jwt.sign(claims),
      refreshToken,
      expiresIn: this.config.jwt.accessTtlSeconds,
    };
  }

  private newRefreshToken(): string {
    return `rt_${randomBytes(REFRESH_TOKEN_BYTES).toString('base64url')}`;
  }
}
