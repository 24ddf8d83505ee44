import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { ContainerStatus } from '../generated/prisma/client';
import { LeaseService } from '../prisma/lease.service';
import { PrismaService } from '../prisma/prisma.service';
import { statusFromEngine } from './container-state';
import { ContainerRuntime, EngineContainer, EngineInfo, EngineUnavailableError } from './runtime/container-runtime';

export interface ReconcileChange {
  id: string;
  customerId: string;
  from: ContainerStatus;
  to: ContainerStatus;
}

/** A swarm node that is not ready, and the containers whose tasks were running on it. */
export interface NodeDownReport {
  nodeId: string;
  hostname: string;
  state: string;
  containers: { id: string; customerId: string | null }[];
}

export interface ReconcileReport {
  engineReachable: boolean;
  checked: number;
  changes: ReconcileChange[];
  /** Engine containers with berth's label and no live row: reported, never deleted here. */
  orphans: EngineContainer[];
  /** Swarm only: nodes that are down and what ran there (the swarm reschedules it; berth reports it). */
  nodesDown: NodeDownReport[];
  /** Set when another berth process was reconciling: this call did nothing. */
  skippedBecauseHeldBy?: string;
}

/** Reconciliation runs in one berth process at a time, whichever takes this lease. */
const LEASE = 'reconciliation';
const LEASE_TTL_MS = 60_000;

/** A PROVISIONING row younger than this may still be in the middle of its create call. */
const PROVISIONING_GRACE_MS = 120_000;

/**
 * Brings rows in line with the engine: gone -> MISSING, exited -> STOPPED, running again ->
 * RUNNING, an interrupted provisioning settled. An unreachable engine changes nothing. Updates
 * are conditional on the status read, so a customer's concurrent action is never overwritten.
 */
@Injectable()
export class ReconciliationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReconciliationService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<ReconcileReport>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly runtime: ContainerRuntime,
    private readonly config: AppConfig,
    private readonly leases: LeaseService,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.containers.reconcileIntervalSeconds;
    if (seconds === 0) return;
    this.timer = setInterval(() => {
      this.reconcile().catch((error: unknown) => this.logger.error({ err: error }, 'Reconciliation failed'));
    }, seconds * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * One run at a time across every process on the database (a lease row); callers in this
   * process during a run share its report; a call while another process runs returns at once.
   */
  reconcile(): Promise<ReconcileReport> {
    this.running ??= this.leases
      .runExclusive(LEASE, LEASE_TTL_MS, () => this.run())
      .then((outcome): ReconcileReport => {
        if (outcome.ran) return outcome.result;
        this.logger.debug({ heldBy: outcome.heldBy }, 'Reconciliation skipped: another process is running it');
        return { engineReachable: true, checked: 0, changes: [], orphans: [], nodesDown: [], skippedBecauseHeldBy: outcome.heldBy };
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Operator's choice (`berth containers reconcile --remove-orphans`): removes what reconcile reported. */
  async removeOrphans(orphans: EngineContainer[], onProgress: (done: number) => void = () => undefined): Promise<string[]> {
    const removed: string[] = [];
    for (const orphan of orphans) {
      await this.runtime.remove(orphan.engineId);
      removed.push(orphan.engineId);
      onProgress(removed.length);
    }
    if (removed.length) this.logger.warn({ removed }, 'Removed orphan engine containers');
    return removed;
  }

  private async run(): Promise<ReconcileReport> {
    const startedAt = new Date();
    let engine: EngineContainer[];
    let info: EngineInfo;
    try {
      [engine, info] = await Promise.all([this.runtime.listManaged(), this.runtime.info()]);
    } catch (error) {
      if (error instanceof EngineUnavailableError) {
        this.logger.warn('Engine unreachable: reconciliation changed nothing');
        return { engineReachable: false, checked: 0, changes: [], orphans: [], nodesDown: [] };
      }
      throw error;
    }
    const byInstance = new Map(engine.filter((c) => c.instanceId).map((c) => [c.instanceId!, c]));
    const rows = await this.prisma.containerInstance.findMany({
      where: { status: { in: ['PROVISIONING', 'RUNNING', 'STOPPED', 'MISSING'] } },
      select: { id: true, customerId: true, status: true, engineId: true, createdAt: true },
    });
    const owners = new Map(rows.map((row) => [row.id, row.customerId]));
    const nodesDown = nodesDownReport(info, engine, owners);
    const changes: ReconcileChange[] = [];
    for (const row of rows) {
      const found = byInstance.get(row.id);
      byInstance.delete(row.id);
      const to = this.desiredStatus(row, found);
      if (!to || to === row.status) continue;
      const { count } = await this.prisma.containerInstance.updateMany({
        where: { id: row.id, status: row.status },
        data: {
          status: to,
          engineId: found?.engineId ?? row.engineId,
          lastError: to === 'FAILED' ? 'Provisioning was interrupted before the engine created the container' : undefined,
        },
      });
      if (count === 1) changes.push({ id: row.id, customerId: row.customerId, from: row.status, to });
    }
    // Left over (every live row took its own out of the map): labelled engine containers whose
    // row is gone, DELETED or FAILED, and any without an instance label.
    const orphans = [...byInstance.values(), ...engine.filter((c) => !c.instanceId)];
    if (changes.length || orphans.length) {
      this.logger.log({ changes, orphans: orphans.map((o) => o.engineId) }, 'Reconciliation');
    }
    if (nodesDown.length) this.logger.warn({ nodesDown }, 'Swarm nodes down; their containers are rescheduled by the swarm');
    // The run's bounds, for operators (and the test proving runs never overlap across processes).
    this.logger.debug({ holder: this.leases.holder, startedAt, finishedAt: new Date() }, 'Reconciliation run');
    return { engineReachable: true, checked: rows.length, changes, orphans, nodesDown };
  }

  private desiredStatus(
    row: { status: ContainerStatus; createdAt: Date },
    found: EngineContainer | undefined,
  ): ContainerStatus | undefined {
    if (found) return statusFromEngine(found.state);
    if (row.status === 'PROVISIONING') {
      return Date.now() - row.createdAt.getTime() > PROVISIONING_GRACE_MS ? 'FAILED' : undefined;
    }
    return 'MISSING';
  }
}

/** `owners`: the live rows' current owners (the engine label only says who owned it at creation). */
function nodesDownReport(info: EngineInfo, engine: EngineContainer[], owners: Map<string, string>): NodeDownReport[] {
  return (info.cluster?.nodes ?? [])
    .filter((node) => node.state !== 'ready')
    .map((node) => ({
      nodeId: node.id,
      hostname: node.hostname,
      state: node.state,
      containers: engine
        .filter((c) => c.runningOnNodeIds?.includes(node.id) && c.instanceId)
        .map((c) => ({ id: c.instanceId!, customerId: owners.get(c.instanceId!) ?? c.customerId ?? null }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    }));
}
