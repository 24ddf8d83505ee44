import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { PrismaService } from '../prisma/prisma.service';

interface ThrottleKey {
  key: string;
  limit: number;
}

/**
 * Counts failed logins per client address and per login name in fixed windows, in the
 * database (so the limit holds across API processes). Successful logins never count.
 * @nestjs/throttler counts every request and keeps its state per process, which is why this
 * small piece is our own.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {}

  /** Throws 429 (with Retry-After) when either key has used up its failures for this window. */
  async assertAllowed(ip: string, login: string): Promise<void> {
    const keys = this.keys(ip, login);
    const windowMs = this.config.loginThrottle.windowSeconds * 1000;
    const now = Date.now();
    // Every login reads and (on success) clears these rows: straight on the driver (see PrismaService.directQuery).
    const rows = await this.prisma.directQuery<{ key: string; windowStart: Date; failures: number }>(
      `SELECT "key", "windowStart" AT TIME ZONE 'UTC' AS "windowStart", "failures" FROM "LoginThrottle" WHERE "key" = ANY($1)`,
      [keys.map((k) => k.key)],
    );
    for (const row of rows) {
      const limit = keys.find((k) => k.key === row.key)!.limit;
      const endsAt = row.windowStart.getTime() + windowMs;
      if (endsAt > now && row.failures >= limit) {
        throw new DomainError(
          'TOO_MANY_REQUESTS',
          'Too many failed logins; try again later',
          undefined,
          Math.max(1, Math.ceil((endsAt - now) / 1000)),
        );
      }
    }
  }

  /** One atomic upsert per key: a new window starts when the old one has run out. */
  async recordFailure(ip: string, login: string): Promise<void> {
    const now = new Date();
    const windowStartedBefore = new Date(now.getTime() - this.config.loginThrottle.windowSeconds * 1000);
    for (const { key } of this.keys(ip, login)) {
      await this.prisma.$executeRaw`
        INSERT INTO "LoginThrottle" ("key", "windowStart", "failures") VALUES (${key}, ${now}, 1)
        ON CONFLICT ("key") DO UPDATE SET
          "failures" = CASE WHEN "LoginThrottle"."windowStart" <= ${windowStartedBefore} THEN 1
                            ELSE "LoginThrottle"."failures" + 1 END,
          "windowStart" = CASE WHEN "LoginThrottle"."windowStart" <= ${windowStartedBefore} THEN ${now}
                               ELSE "LoginThrottle"."windowStart" END`;
    }
    // Random names would otherwise pile up rows forever; now and then sweep the expired ones.
    if (Math.random() < 0.01) {
      await this.prisma.loginThrottle.deleteMany({ where: { windowStart: { lte: windowStartedBefore } } });
    }
  }

  /** After a good password the name's count starts over; the address's does not. */
  async recordSuccess(login: string): Promise<void> {
    await this.prisma.directQuery(`DELETE FROM "LoginThrottle" WHERE "key" = $1`, [this.loginKey(login)]);
  }

  private keys(ip: string, login: string): ThrottleKey[] {
    return [
      { key: `ip:${ip}`, limit: this.config.loginThrottle.maxFailuresPerIp },
      { key: this.loginKey(login), limit: this.config.loginThrottle.maxFailuresPerLogin },
    ];
  }

  private loginKey(login: string): string {
    return `login:${login.trim().toLowerCase().slice(0, 320)}`;
  }
}
