import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.setup';
import { loadConfig } from './config/app-config';
import { exitOnStartupError } from './startup-error';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const app = await createApp(config);
  if (config.jwt.accessSecretGenerated) {
    app.get(Logger).warn('JWT_ACCESS_SECRET is not set: using a random secret for this process (tokens end at restart)');
  }
  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database, exit 0.
  // A shutdown that hangs past SHUTDOWN_TIMEOUT_MS exits 1 instead of waiting forever.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      app.get(Logger).log(`${signal} received: draining requests and closing`);
      setTimeout(() => {
        console.error(`berth: shutdown took longer than ${config.http.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      }, config.http.shutdownTimeoutMs).unref();
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('berth: shutdown failed', error);
          process.exit(1);
        },
      );
    });
  }
  await app.listen(config.port, config.host);
  app.get(Logger).log(`berth listening on http://${config.host}:${config.port} (database: ${config.database.kind})`);
}

main().catch(exitOnStartupError);
