import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { ContainerStatus } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { statusFromEngine } from './container-state';
import { ContainerRuntime, EngineContainer, EngineUnavailableError } from './runtime/container-runtime';

export interface ReconcileChange {
  id: string;
  customerId: string;
  from: ContainerStatus;
  to: ContainerStatus;
}

export interface ReconcileReport {
  engineReachable: boolean;
  checked: number;
  changes: ReconcileChange[];
  /** Engine containers with berth's label and no live row: reported, never deleted here. */
  orphans: EngineContainer[];
}

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

  /** One run at a time in this process; callers during a run share its report. */
  reconcile(): Promise<ReconcileReport> {
    this.running ??= this.run().finally(() => (this.running = undefined));
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
    let engine: EngineContainer[];
    try {
      engine = await this.runtime.listManaged();
    } catch (error) {
      if (error instanceof EngineUnavailableError) {
        this.logger.warn('Engine unreachable: reconciliation changed nothing');
        return { engineReachable: false, checked: 0, changes: [], orphans: [] };
      }
      throw error;
    }
    const byInstance = new Map(engine.filter((c) => c.instanceId).map((c) => [c.instanceId!, c]));
    const rows = await this.prisma.containerInstance.findMany({
      where: { status: { in: ['PROVISIONING', 'RUNNING', 'STOPPED', 'MISSING'] } },
      select: { id: true, customerId: true, status: true, engineId: true, createdAt: true },
    });
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
    return { engineReachable: true, checked: rows.length, changes, orphans };
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
