import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { readFileSync } from 'node:fs';
import { CustomerIdsService, PlanRow, RowFinding } from '../customer-ids/customer-ids.service';
import { EXIT_USAGE, fail, operatorActor, printJson, printTable, progress, say } from './output';

function evidenceText(row: RowFinding): string {
  if (row.evidence.length === 0) return 'no reliable mapping';
  const text = row.evidence.map((e) => `${e.source}: ${e.detail}`).join('; ');
  return row.conflict ? `CONFLICT: ${text}` : text;
}

/** `legacy_value,user_ref` per line; a header line of exactly those names, blank lines and # comments are skipped. */
export function parseMappingCsv(text: string): Map<string, string> {
  const mapping = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || (index === 0 && line.replace(/\s/g, '') === 'legacy_value,user_ref')) return;
    const parts = line.split(',').map((part) => part.trim().replace(/^"(.*)"$/, '$1'));
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`mapping line ${index + 1} must be "legacy_value,user_ref": ${line}`);
    if (mapping.has(parts[0]) && mapping.get(parts[0]) !== parts[1]) throw new Error(`mapping line ${index + 1}: "${parts[0]}" is mapped twice`);
    mapping.set(parts[0], parts[1]);
  });
  return mapping;
}

@SubCommand({ name: 'audit', description: 'List containers whose customerId is not a user id, with the evidence for their owner' })
export class CustomerIdsAuditCommand extends CommandRunner {
  constructor(private readonly customerIds: CustomerIdsService) {
    super();
  }

  async run(_params: string[], options: { json?: boolean }): Promise<void> {
    const report = await this.customerIds.report();
    if (options.json) return printJson(report);
    if (!report.engineChecked) say('note: the container engine is unreachable; engine labels were not used as evidence');
    if (report.groups.length === 0) return say('No polluted customerIds: every container belongs to a user');
    for (const group of report.groups) {
      say(`${group.value}: ${group.rows.length} row(s)`);
      printTable(
        group.rows.map((row) => ({
          value: row.customerId,
          container: row.id,
          name: row.name,
          candidate: row.candidate?.label ?? '-',
          evidence: evidenceText(row),
        })),
        ['value', 'container', 'name', 'candidate', 'evidence'],
      );
    }
  }

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}

interface RemapOptions {
  map?: string;
  from?: string;
  to?: string;
  apply?: boolean;
  json?: boolean;
}

@SubCommand({ name: 'remap', description: 'Give polluted rows their real owner: dry run unless --apply' })
export class CustomerIdsRemapCommand extends CommandRunner {
  constructor(private readonly customerIds: CustomerIdsService) {
    super();
  }

  async run(_params: string[], options: RemapOptions): Promise<void> {
    const byFile = options.map !== undefined;
    const byPair = options.from !== undefined || options.to !== undefined;
    if (byFile === byPair || (byPair && (!options.from || !options.to))) {
      return fail('remap needs either --map FILE or both --from VALUE and --to USER_REF', EXIT_USAGE);
    }
    let mapping: Map<string, string>;
    try {
      mapping = byFile ? parseMappingCsv(readFileSync(options.map!, 'utf8')) : new Map([[options.from!, options.to!]]);
    } catch (error) {
      return fail((error as Error).message, EXIT_USAGE);
    }
    let bar: ((done: number) => void) | undefined;
    const plan = await this.customerIds.remap(mapping, {
      apply: Boolean(options.apply),
      operator: operatorActor(),
      onProgress: (done, total) => (bar ??= progress(total, 'remapping'))(done),
    });
    if (options.json) return printJson(plan);
    printTable(plan.rows.map(planView), ['action', 'value', 'container', 'name', 'newOwner', 'evidence']);
    const count = (action: PlanRow['action']) => plan.rows.filter((row) => row.action === action).length;
    const summary = `${count('remap')} to remap, ${count('skip-no-mapping')} without a mapping (left as they are), ${count('skip-name-clash')} blocked by a name the new owner already uses`;
    say(plan.applied ? `Applied: ${summary}` : `Dry run (nothing written; add --apply): ${summary}`);
  }

  @Option({ flags: '--map <file>', description: 'CSV of legacy_value,user_ref' })
  parseMap(value: string): string {
    return value;
  }

  @Option({ flags: '--from <value>', description: 'one legacy value' })
  parseFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--to <ref>', description: 'its owner: user id, public id, username or email' })
  parseTo(value: string): string {
    return value;
  }

  @Option({ flags: '--apply', description: 'write the changes (one transaction, one audit event per row)' })
  parseApply(): boolean {
    return true;
  }

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}

function planView(row: PlanRow) {
  return {
    action: row.action,
    value: row.customerId,
    container: row.id,
    name: row.name,
    newOwner: row.target?.label ?? '-',
    evidence: evidenceText(row),
  };
}

@SubCommand({ name: 'enforce', description: 'Validate the owner foreign key once no polluted row is left' })
export class CustomerIdsEnforceCommand extends CommandRunner {
  constructor(private readonly customerIds: CustomerIdsService) {
    super();
  }

  async run(): Promise<void> {
    const result = await this.customerIds.enforce(operatorActor());
    if (result.validated) return say('Owner foreign key validated: every container belongs to a user, and always will');
    for (const group of result.blocking) say(`blocking: ${group.value}: ${group.rows.length} row(s)`);
    fail('polluted rows remain; repair them with `berth customer-ids remap` first');
  }
}

@Command({
  name: 'customer-ids',
  description: 'Find and repair container owners that are not user ids',
  subCommands: [CustomerIdsAuditCommand, CustomerIdsRemapCommand, CustomerIdsEnforceCommand],
})
export class CustomerIdsCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.outputHelp();
    process.exitCode = EXIT_USAGE;
  }
}
