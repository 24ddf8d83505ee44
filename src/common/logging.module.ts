import { Global, Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { performance } from 'node:perf_hooks';
import { LoggerModule } from 'nestjs-pino';
import { type Level, type Logger, pino } from 'pino';
import '../auth/auth-user'; // req.user's type
import { AppConfig } from '../config/app-config';
import { currentRequestContext } from './request-context';

/** The pino instance every line goes through, and the access-log middleware createApp mounts. */
const ROOT_LOGGER = Symbol('ROOT_LOGGER');
export const REQUEST_LOGGER = Symbol('REQUEST_LOGGER');
export type RequestLogger = (req: Request, res: Response, next: NextFunction) => void;

function createRootLogger(config: AppConfig): Logger {
  return pino({
    level: config.logLevel,
    // Lines written while a request is handled name it: the id comes from the request context
    // (the AsyncLocalStorage the audit log reads too), not from a child logger per request.
    mixin: () => {
      const context = currentRequestContext();
      return context ? { req: { id: context.requestId } } : {};
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.passwordHash', '*.refreshToken', '*.accessToken'],
      censor: '[redacted]',
    },
  });
}

/**
 * One JSON line per request once its response is done (or the client went away), with the
 * caller's label once the guard has loaded them. Not pino-http: it builds a child logger, runs
 * serializers and adds several listeners for every request, even for lines the level drops;
 * this is one listener and one call (bench/README.md has the measurement).
 */
function createRequestLogger(logger: Logger): RequestLogger {
  return (req, res, next) => {
    if (req.url === '/health/live') return next(); // probed every few seconds: noise
    const started = performance.now();
    res.once('close', () => {
      const status = res.statusCode;
      const level: Level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const user = req.user;
      logger[level](
        {
          req: { id: req.id, method: req.method, url: req.originalUrl },
          res: { statusCode: status },
          responseTime: Math.round(performance.now() - started),
          ...(user ? { user: user.label } : {}),
        },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    });
    next();
  };
}

@Global()
@Module({
  providers: [
    { provide: ROOT_LOGGER, inject: [AppConfig], useFactory: createRootLogger },
    { provide: REQUEST_LOGGER, inject: [ROOT_LOGGER], useFactory: createRequestLogger },
  ],
  exports: [ROOT_LOGGER, REQUEST_LOGGER],
})
class RootLoggerModule {}

/**
 * Structured JSON logs (pino). The access log is mounted first of all middleware (createApp),
 * so requests that never reach a route (bad JSON, unknown paths) are logged too and
 * prefix-excluded routes such as /health/* once. nestjs-pino makes the same pino instance Nest's
 * logger; it binds no per-request logger (forRoutes: none), the root's mixin names the request.
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      inject: [ROOT_LOGGER],
      useFactory: (logger: Logger) => ({ pinoHttp: { logger }, useExisting: true, forRoutes: [] }),
    }),
  ],
})
export class LoggingModule {}
