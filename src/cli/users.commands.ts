import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { createInterface } from 'node:readline';
import { AdminUsersService } from '../admin/admin-users.service';
import { AccountsService } from '../auth/accounts.service';
import { RegisterDto } from '../auth/dto/register.dto';
import { toFieldErrors } from '../common/validation.pipe';
import { userLabel } from '../users/user-label';
import { EXIT_USAGE, fail, operatorActor, printJson, printTable, say } from './output';

interface CreateOptions {
  email?: string;
  username?: string;
  displayName?: string;
  admin?: boolean;
}

/** Passwords never come from arguments (they end up in shell history and `ps`): stdin or a prompt. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.split(/\r?\n/)[0];
  }
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => write(s.startsWith(question) ? s : '');
      rl.question(question, (answer) => {
        rl.close();
        process.stderr.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  const second = await ask('Repeat password: ');
  if (first !== second) throw new Error('The passwords do not match');
  return first;
}

@SubCommand({ name: 'create', description: 'Create a user (password from stdin or a prompt, never an argument)' })
export class UsersCreateCommand extends CommandRunner {
  constructor(private readonly accounts: AccountsService) {
    super();
  }

  async run(_params: string[], options: CreateOptions): Promise<void> {
    if (!options.email || !options.username) return fail('users create needs --email and --username', EXIT_USAGE);
    const input = plainToInstance(RegisterDto, {
      email: options.email,
      username: options.username,
      displayName: options.displayName,
      password: await readPassword(),
    });
    const problems = toFieldErrors(await validate(input, { whitelist: true }));
    if (problems.length) return fail(problems.map((p) => p.message).join('; '), EXIT_USAGE);
    const user = await this.accounts.create(input, { role: options.admin ? 'ADMIN' : 'USER', actor: operatorActor() });
    say(`Created ${user.role === 'ADMIN' ? 'admin' : 'user'} ${userLabel(user)} (${user.publicCustomerId})`);
    process.stdout.write(`${user.id}\n`);
  }

  @Option({ flags: '--email <email>', description: 'email address', required: false })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--username <username>', description: 'username' })
  parseUsername(value: string): string {
    return value;
  }

  @Option({ flags: '--display-name <name>', description: 'display name' })
  parseDisplayName(value: string): string {
    return value;
  }

  @Option({ flags: '--admin', description: 'give the ADMIN role' })
  parseAdmin(): boolean {
    return true;
  }
}

@SubCommand({ name: 'promote', arguments: '<ref>', description: 'Make a user (id, public id, username or email) an ADMIN' })
export class UsersPromoteCommand extends CommandRunner {
  constructor(private readonly users: AdminUsersService) {
    super();
  }

  async run([ref]: string[]): Promise<void> {
    const { user } = await this.users.update(ref, { role: 'ADMIN', reason: 'promoted from the CLI' }, operatorActor());
    say(`${userLabel(user)} is now ADMIN`);
  }
}

@SubCommand({ name: 'list', description: 'List users' })
export class UsersListCommand extends CommandRunner {
  constructor(private readonly users: AdminUsersService) {
    super();
  }

  async run(_params: string[], options: { json?: boolean }): Promise<void> {
    const rows = [];
    for (let page = 1; ; page++) {
      const result = await this.users.list({ page, pageSize: 100 });
      rows.push(...result.items);
      if (rows.length >= result.total || result.items.length === 0) break;
    }
    const view = rows.map((user) => ({
      id: user.id,
      publicId: user.publicCustomerId,
      label: userLabel(user),
      email: user.email,
      role: user.role,
      disabled: user.disabledAt !== null,
      createdAt: user.createdAt,
    }));
    if (options.json) return printJson(view);
    printTable(view, ['publicId', 'label', 'email', 'role', 'disabled']);
  }

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}

@Command({ name: 'users', description: 'Users and admins', subCommands: [UsersCreateCommand, UsersPromoteCommand, UsersListCommand] })
export class UsersCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.outputHelp();
    process.exitCode = EXIT_USAGE;
  }
}
