import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { existsSync } from 'node:fs';
import { CliModule } from './cli/cli.module';
import { EXIT_FAILURE, EXIT_USAGE, fail } from './cli/output';
import { DomainError } from './common/domain-error';
import { loadConfig } from './config/app-config';
import { EngineRejectedError, EngineUnavailableError } from './containers/runtime/container-runtime';
import { openDatabase } from './prisma/open-database';
import { describeStartupError } from './startup-error';

/** Services' warnings and errors go to stderr as plain lines; stdout stays for the command's output. */
class CliLogger implements LoggerService {
  log(): void {}
  warn(message: unknown): void {
    process.stderr.write(`warning: ${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  }
  error(message: unknown): void {
    process.stderr.write(`error: ${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  }
}

/** Thrown out of commander's exit hook so the app still closes; commander already printed why. */
class UsageError extends Error {
  constructor(readonly exitCode: number) {
    super('usage');
  }
}

/** One line for what an operator can act on; the stack only with BERTH_DEBUG=1. */
function report(error: unknown): void {
  if (error instanceof UsageError) {
    process.exitCode = error.exitCode;
    return;
  }
  const known =
    error instanceof DomainError || error instanceof EngineUnavailableError || error instanceof EngineRejectedError
      ? (error as Error).message
      : describeStartupError(error);
  if (process.env.BERTH_DEBUG === '1') console.error(error);
  // Prisma's messages start with the call site; the last line is the cause.
  const message = String((error as Error)?.message ?? error).trim().split('\n').pop();
  fail(known ?? message ?? 'failed', EXIT_FAILURE);
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  // The CLI never migrates by surprise (that is `berth db migrate`) and runs no timers.
  const config = loadConfig({ ...process.env, DB_MIGRATE_ON_START: 'false', RECONCILE_INTERVAL_SECONDS: '0' });
  const connection = await openDatabase(config, () => undefined);
  const app = await CommandFactory.createWithoutRunning(CliModule.forRoot(config, connection), {
    logger: new CliLogger(),
    serviceErrorHandler: report,
  });
  try {
    // nest-commander keeps its commander instance private and exports no token for it.
    configureCommander((app.get(CommandRunnerService) as unknown as { commander: CommanderCommand }).commander);
    await CommandFactory.runApplication(app);
  } finally {
    await app.close(); // also closes the database
  }
}

/** The part of commander's Command used here (nest-commander bundles its own commander). */
interface CommanderCommand {
  name(name: string): unknown;
  exitOverride(handler: (error: { code: string }) => never): unknown;
  readonly commands: readonly CommanderCommand[];
}

/**
 * Every (sub)command named `berth` in help, and every usage mistake, at any depth, ends with
 * exit code 2 instead of commander's process.exit(1).
 */
function configureCommander(root: CommanderCommand): void {
  root.name('berth');
  const visit = (command: CommanderCommand) => {
    command.exitOverride((error) => {
      // Commander has already printed its message (unknown option, missing argument…).
      throw new UsageError(['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code) ? 0 : EXIT_USAGE);
    });
    command.commands.forEach(visit);
  };
  visit(root);
}

main().catch(report);
