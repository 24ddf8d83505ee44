import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/app-config';
import { PrismaService } from '../../src/prisma/prisma.service';

export interface TestApp {
  app: NestExpressApplication;
  prisma: PrismaService;
  /** The Node HTTP server, for supertest. */
  http: ReturnType<NestExpressApplication['getHttpServer']>;
  close(): Promise<void>;
}

/** The real application (same setup as production) on an in-memory PGlite unless `env` says otherwise. */
export async function startTestApp(env: Record<string, string> = {}, imports: DynamicModule['imports'] = []): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'memory',
    LOG_LEVEL: 'silent',
    RECONCILE_INTERVAL_SECONDS: '0',
    DOCKER_HOST: 'unix:///tmp/berth-no-engine-here.sock',
    ...env,
  });
  const app = await createApp(config, { imports });
  await app.init();
  return {
    app,
    prisma: app.get(PrismaService),
    http: app.getHttpServer(),
    close: () => app.close(),
  };
}
