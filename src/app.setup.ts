import { DynamicModule, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { REQUEST_LOGGER } from './common/logging.module';
import { requestContextMiddleware } from './common/request-context';
import { requestIdMiddleware } from './common/request-id';
import { createValidationPipe } from './common/validation.pipe';
import { AppConfig } from './config/app-config';
import { openDatabase } from './prisma/open-database';

export interface CreateAppOptions {
  /** Extra modules to mount (tests add probe controllers). */
  imports?: DynamicModule['imports'];
}

/**
 * Builds the HTTP application exactly as production runs it. main.ts and the e2e tests both
 * call this, so tests exercise the real middleware, guards, pipes, filters and prefix.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const connection = await openDatabase(config, (message) => startupLog(config, message));
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, connection, options.imports), {
      bodyParser: false,
      bufferLogs: true,
      abortOnError: false,
    });
  } catch (error) {
    await connection.close();
    throw error;
  }
  app.useLogger(app.get(Logger));
  // Order matters: the request id exists before parsing can fail.
  app.set('trust proxy', config.http.trustProxy);
  app.use(requestIdMiddleware);
  app.use(requestContextMiddleware);
  app.use(app.get(REQUEST_LOGGER));
  app.use(helmet());
  app.useBodyParser('json', { limit: config.http.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimitBytes, extended: false });
  app.disable('x-powered-by');
  app.setGlobalPrefix('api', { exclude: [{ path: 'health/*path', method: RequestMethod.ALL }] });
  app.useGlobalPipes(createValidationPipe());
  setupOpenApi(app);
  return app;
}

/** Before Nest (and its logger) exists, startup messages are JSON lines like pino's. */
function startupLog(config: AppConfig, msg: string): void {
  if (config.logLevel === 'silent') return;
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, context: 'Startup', msg })}\n`);
}

function setupOpenApi(app: NestExpressApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('berth')
      .setDescription('Customers provision and run their own containers. Every container belongs to the caller.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
