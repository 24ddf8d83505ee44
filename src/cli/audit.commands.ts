import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { AuditService } from '../audit/audit.service';
import { fail, printJson, say } from './output';

@SubCommand({ name: 'verify', description: 'Check the audit hash chain (exit 1 naming the first bad event)' })
export class AuditVerifyCommand extends CommandRunner {
  constructor(private readonly audit: AuditService) {
    super();
  }

  async run(_params: string[], options: { json?: boolean }): Promise<void> {
    const result = await this.audit.verify();
    if (options.json) printJson(result);
    if (result.ok) say(`Audit chain intact: ${result.checked} event(s) checked`);
    else fail(`Audit chain broken at event #${result.firstBadEventId} (${result.checked} event(s) before it are intact)`);
  }

  @Option({ flags: '--json', description: 'print the result as JSON' })
  parseJson(): boolean {
    return true;
  }
}

@Command({ name: 'audit', description: 'The audit log', subCommands: [AuditVerifyCommand] })
export class AuditCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.outputHelp();
    process.exitCode = 2;
  }
}
