import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { AdminContainersService } from '../admin/admin-containers.service';
import { ReconciliationService } from '../containers/reconciliation.service';
import { PrismaService } from '../prisma/prisma.service';
import { findUserByRef } from '../users/user-ref';
import { EXIT_USAGE, fail, printJson, printTable, progress, say } from './output';

@SubCommand({ name: 'list', description: "List every customer's containers" })
export class ContainersListCommand extends CommandRunner {
  constructor(
    private readonly containers: AdminContainersService,
    private readonly prisma: PrismaService,
  ) {
    super();
  }

  async run(_params: string[], options: { customer?: string; json?: boolean }): Promise<void> {
    // A ref names a user; anything else is taken literally, so polluted values (u-dev-001) can be listed too.
    const customerId = options.customer ? ((await findUserByRef(this.prisma, options.customer))?.user.id ?? options.customer) : undefined;
    const rows = [];
    for (let page = 1; ; page++) {
      const result = await this.containers.list({ page, pageSize: 100, customerId });
      rows.push(...result.items);
      if (rows.length >= result.total || result.items.length === 0) break;
    }
    const view = rows.map(({ container, ownerLabel }) => ({
      id: container.id,
      name: container.name,
      status: container.status,
      owner: ownerLabel ?? `UNKNOWN (${container.customerId})`,
      customerId: container.customerId,
      ownerKnown: ownerLabel !== null,
      image: container.image,
      createdAt: container.createdAt,
    }));
    if (options.json) return printJson(view);
    printTable(view, ['id', 'name', 'status', 'owner', 'image']);
  }

  @Option({ flags: '--customer <ref>', description: 'only this customer (id, public id, username, email, or a raw value)' })
  parseCustomer(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}

@SubCommand({ name: 'reconcile', description: 'Bring container records in line with the engine now' })
export class ContainersReconcileCommand extends CommandRunner {
  constructor(private readonly reconciliation: ReconciliationService) {
    super();
  }

  async run(_params: string[], options: { removeOrphans?: boolean; json?: boolean }): Promise<void> {
    const report = await this.reconciliation.reconcile();
    if (!report.engineReachable) return fail('the container engine is unreachable; nothing was changed');
    if (report.skippedBecauseHeldBy) {
      return fail(`another berth process (${report.skippedBecauseHeldBy}) is reconciling right now; nothing was done, try again shortly`);
    }
    let removed: string[] = [];
    if (options.removeOrphans && report.orphans.length) {
      removed = await this.reconciliation.removeOrphans(report.orphans, progress(report.orphans.length, 'removing orphans'));
    }
    if (options.json) return printJson({ ...report, removedOrphans: removed });
    say(`Checked ${report.checked} container(s): ${report.changes.length} changed, ${report.orphans.length} orphan(s)`);
    printTable(report.changes.map((c) => ({ ...c, change: `${c.from} -> ${c.to}` })), ['id', 'customerId', 'change']);
    for (const node of report.nodesDown) {
      say(`node ${node.hostname} (${node.nodeId}) is ${node.state}; containers that ran there: ${node.containers.map((c) => c.id).join(', ') || 'none'}`);
    }
    for (const orphan of report.orphans) {
      say(`orphan engine container ${orphan.engineId.slice(0, 12)} (instance ${orphan.instanceId ?? '?'})${removed.includes(orphan.engineId) ? ': removed' : ''}`);
    }
  }

  @Option({ flags: '--remove-orphans', description: 'also remove labelled engine containers that have no record' })
  parseRemoveOrphans(): boolean {
    return true;
  }

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}

@Command({ name: 'containers', description: 'Containers of every customer', subCommands: [ContainersListCommand, ContainersReconcileCommand] })
export class ContainersCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.outputHelp();
    process.exitCode = EXIT_USAGE;
  }
}
