import { Inject } from '@nestjs/common';
import { Command, CommandRunner, SubCommand } from 'nest-commander';
import { Migrator } from '../prisma/migrator';
import { SQL_CONNECTION } from '../prisma/prisma.tokens';
import type { SqlConnection } from '../prisma/sql-connection';
import { EXIT_FAILURE, printTable, say } from './output';

@SubCommand({ name: 'migrate', description: 'Apply pending migrations' })
export class DbMigrateCommand extends CommandRunner {
  constructor(@Inject(SQL_CONNECTION) private readonly connection: SqlConnection) {
    super();
  }

  async run(): Promise<void> {
    const applied = await new Migrator(this.connection, undefined, say).migrate();
    say(applied.length ? `Applied ${applied.length} migration(s)` : 'Database is up to date');
    for (const name of applied) process.stdout.write(`${name}\n`);
  }
}

@SubCommand({ name: 'status', description: 'List applied and pending migrations (exit 1 when some are pending)' })
export class DbStatusCommand extends CommandRunner {
  constructor(@Inject(SQL_CONNECTION) private readonly connection: SqlConnection) {
    super();
  }

  async run(): Promise<void> {
    const status = await new Migrator(this.connection).status();
    printTable(
      [...status.applied.map((name) => ({ migration: name, state: 'applied' })), ...status.pending.map((name) => ({ migration: name, state: 'pending' }))],
      ['migration', 'state'],
    );
    if (status.pending.length) process.exitCode = EXIT_FAILURE;
  }
}

@Command({ name: 'db', description: 'Database migrations', subCommands: [DbMigrateCommand, DbStatusCommand] })
export class DbCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.outputHelp();
    process.exitCode = 2;
  }
}
