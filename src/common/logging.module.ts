import { Global, Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { LevelWithSilent } from 'pino';
import { HttpLogger, pinoHttp } from 'pino-http';
import type { AuthUser } from '../auth/auth-user';
import { AppConfig } from '../config/app-config';

/** The request logger; createApp mounts it first of all middleware. */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

function createHttpLogger(config: AppConfig): HttpLogger {
  return pinoHttp<IncomingMessage, ServerResponse, never>({
    level: config.logLevel,
    // The id is assigned by requestIdMiddleware, which runs just before; reuse it.
    genReqId: (req: IncomingMessage) => req.id ?? 'unknown',
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error): LevelWithSilent =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    // Evaluated when the response finishes, after the JWT guard has loaded the caller.
    customProps: (req: IncomingMessage) => {
      const user = (req as IncomingMessage & { user?: AuthUser }).user;
      return user ? { user: user.label } : {};
    },
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health/live' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.passwordHash',
        '*.refreshToken',
        '*.accessToken',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

@Global()
@Module({
  providers: [{ provide: HTTP_LOGGER, inject: [AppConfig], useFactory: createHttpLogger }],
  exports: [HTTP_LOGGER],
})
class HttpLoggerModule {}

/**
 * Structured JSON logs (pino), one line per request with its request id. The HTTP logger is
 * mounted as the very first Express middleware (see createApp) rather than by nestjs-pino per
 * route, so requests that never reach a route (bad JSON, unknown paths) are logged too, and
 * prefix-excluded routes such as /health/* are not logged twice. nestjs-pino then only binds
 * the request's logger for Nest's Logger (`useExisting`).
 */
@Module({
  imports: [
    HttpLoggerModule,
    LoggerModule.forRootAsync({
      inject: [HTTP_LOGGER],
      useFactory: (httpLogger: HttpLogger) => ({ pinoHttp: { logger: httpLogger.logger }, useExisting: true }),
    }),
  ],
})
export class LoggingModule {}
