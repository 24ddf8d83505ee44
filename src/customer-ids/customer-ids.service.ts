import { Injectable } from '@nestjs/common';
import { Actor, AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { ContainerRuntime } from '../containers/runtime/container-runtime';
import type { User } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { userLabel } from '../users/user-label';
import { findUserByRef } from '../users/user-ref';

/** A container row whose customerId is not the id of any user (historic pollution). */
export interface PollutedRow {
  id: string;
  customerId: string;
  createdById: string;
  name: string;
  status: string;
  createdAt: Date;
}

export interface Evidence {
  source: 'mapping' | 'audit-create-event' | 'createdById' | 'engine-label' | 'matches-user-handle';
  userId: string;
  detail: string;
}

export interface RowFinding extends PollutedRow {
  /** The user the evidence points to, when it agrees; null: no reliable mapping, or conflicting. */
  candidate: { id: string; label: string } | null;
  evidence: Evidence[];
  conflict: boolean;
}

export interface PollutionReport {
  engineChecked: boolean;
  groups: { value: string; rows: RowFinding[] }[];
}

export type PlanAction = 'remap' | 'skip-no-mapping' | 'skip-name-clash';

export interface PlanRow extends RowFinding {
  action: PlanAction;
  target: { id: string; label: string } | null;
}

export interface RemapPlan {
  rows: PlanRow[];
  applied: boolean;
}

const FK_NAME = 'ContainerInstance_customerId_fkey';

/**
 * Repairs the historic owner mix-up (usernames, public ids, `u-dev-001`, `u000` in
 * ContainerInstance.customerId). Nothing here guesses: `audit` shows the evidence, `remap`
 * changes only rows the operator mapped explicitly (audited, one event per row), and
 * `enforce` validates the owner foreign key once no polluted row is left.
 */
@Injectable()
export class CustomerIdsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly runtime: ContainerRuntime,
  ) {}

  async findPolluted(): Promise<PollutedRow[]> {
    return this.prisma.$queryRaw<PollutedRow[]>`
      SELECT c."id", c."customerId", c."createdById", c."name", c."status"::text AS "status", c."createdAt"
        FROM "ContainerInstance" c LEFT JOIN "User" u ON u."id" = c."customerId"
       WHERE u."id" IS NULL
       ORDER BY c."customerId", c."createdAt", c."id"`;
  }

  /** Every polluted row, grouped by its bad value, with the evidence for a candidate owner. */
  async report(): Promise<PollutionReport> {
    const rows = await this.findPolluted();
    const { labels, engineChecked } = await this.engineLabels();
    const findings = await Promise.all(rows.map((row) => this.examine(row, labels, [])));
    return { engineChecked, groups: group(findings) };
  }

  /**
   * The plan for an explicit mapping (bad value -> user ref). Rows of unmapped values are left
   * as they are and listed. With `apply`, mapped rows change in one transaction, each with an
   * audit event; rerunning finds nothing left to change.
   */
  async remap(
    mapping: Map<string, string>,
    options: { apply: boolean; operator: Actor; onProgress?: (done: number, total: number) => void },
  ): Promise<RemapPlan> {
    const targets = new Map<string, User>();
    for (const [value, ref] of mapping) {
      const match = await findUserByRef(this.prisma, ref);
      if (!match) throw new DomainError('NOT_FOUND', `Mapping for "${value}": no user matches "${ref}" (id, public id, username or email)`);
      targets.set(value, match.user);
    }
    const rows = await this.findPolluted();
    const { labels } = await this.engineLabels();
    const plan: PlanRow[] = [];
    for (const row of rows) {
      const target = targets.get(row.customerId);
      const mappingEvidence: Evidence[] = target
        ? [{ source: 'mapping', userId: target.id, detail: `operator mapping "${row.customerId}" -> ${userLabel(target)}` }]
        : [];
      const finding = await this.examine(row, labels, mappingEvidence);
      let action: PlanAction = target ? 'remap' : 'skip-no-mapping';
      if (target && (await this.nameTaken(target.id, row.name))) action = 'skip-name-clash';
      plan.push({ ...finding, action, target: target ? { id: target.id, label: userLabel(target) } : null });
    }
    if (options.apply) await this.applyPlan(plan, options.operator, options.onProgress);
    return { rows: plan, applied: options.apply };
  }

  /** Validates the owner foreign key, or says which rows still block it. */
  async enforce(operator: Actor): Promise<{ validated: boolean; blocking: PollutionReport['groups'] }> {
    const rows = await this.findPolluted();
    if (rows.length > 0) {
      const findings = rows.map((row) => ({ ...row, candidate: null, evidence: [], conflict: false }));
      return { validated: false, blocking: group(findings) };
    }
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`ALTER TABLE "ContainerInstance" VALIDATE CONSTRAINT "${FK_NAME}"`);
      await this.audit.record(tx, { action: 'customer_id.enforce', actor: operator, data: { constraint: FK_NAME } });
    });
    return { validated: true, blocking: [] };
  }

  async isEnforced(): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ validated: boolean }[]>`
      SELECT convalidated AS validated FROM pg_constraint WHERE conname = ${FK_NAME}`;
    return rows[0]?.validated === true;
  }

  private async applyPlan(plan: PlanRow[], operator: Actor, onProgress: (done: number, total: number) => void = () => undefined): Promise<void> {
    const changes = plan.filter((row) => row.action === 'remap');
    if (changes.length === 0) return;
    await this.prisma.$transaction(
      async (tx) => {
        for (const [index, row] of changes.entries()) {
          onProgress(index + 1, changes.length);
          // Conditional on the old value: a row already repaired (a rerun, another operator) is left alone.
          const { count } = await tx.containerInstance.updateMany({
            where: { id: row.id, customerId: row.customerId },
            data: { customerId: row.target!.id },
          });
          if (count === 0) continue;
          await this.audit.record(tx, {
            action: 'customer_id.remap',
            actor: operator,
            customerId: row.target!.id,
            targetType: 'container',
            targetId: row.id,
            data: {
              oldValue: row.customerId,
              newOwner: row.target!.id,
              newOwnerLabel: row.target!.label,
              evidence: row.evidence.map(({ source, userId, detail }) => ({ source, userId, detail })),
              conflict: row.conflict,
            },
          });
        }
      },
      { maxWait: 10_000, timeout: 120_000 },
    );
  }

  private async examine(row: PollutedRow, labels: Map<string, string>, extra: Evidence[]): Promise<RowFinding> {
    const evidence: Evidence[] = [...extra];
    const users = async (id: string) => this.prisma.user.findUnique({ where: { id } });

    const createEvent = await this.prisma.auditEvent.findFirst({
      where: { action: 'container.create', targetId: row.id },
      orderBy: { seq: 'asc' },
    });
    if (createEvent?.actorId && (await users(createEvent.actorId))) {
      evidence.push({ source: 'audit-create-event', userId: createEvent.actorId, detail: `created by ${createEvent.actorLabel} (audit #${createEvent.seq})` });
    }
    if (row.createdById !== row.customerId) {
      const creator = await users(row.createdById);
      if (creator) evidence.push({ source: 'createdById', userId: creator.id, detail: `createdById is ${userLabel(creator)}` });
    }
    const labelled = labels.get(row.id);
    if (labelled) {
      const owner = await users(labelled);
      if (owner) evidence.push({ source: 'engine-label', userId: owner.id, detail: `engine label berth.customer-id = ${userLabel(owner)}` });
    }
    const handle = await findUserByRef(this.prisma, row.customerId);
    if (handle && handle.kind !== 'id') {
      evidence.push({ source: 'matches-user-handle', userId: handle.user.id, detail: `"${row.customerId}" is the ${handle.kind} of ${userLabel(handle.user)}` });
    }
    const distinct = [...new Set(evidence.map((e) => e.userId))];
    const conflict = distinct.length > 1;
    const candidateId = distinct.length === 1 ? distinct[0] : extra[0]?.userId;
    const candidate = candidateId ? await users(candidateId) : null;
    return { ...row, evidence, conflict, candidate: candidate ? { id: candidate.id, label: userLabel(candidate) } : null };
  }

  private async nameTaken(ownerId: string, name: string): Promise<boolean> {
    return (await this.prisma.containerInstance.count({ where: { customerId: ownerId, activeName: name } })) > 0;
  }

  /** instance id -> owner label on the engine; an unreachable engine just gives no evidence. */
  private async engineLabels(): Promise<{ labels: Map<string, string>; engineChecked: boolean }> {
    try {
      const containers = await this.runtime.listManaged();
      return {
        labels: new Map(containers.filter((c) => c.instanceId && c.customerId).map((c) => [c.instanceId!, c.customerId!])),
        engineChecked: true,
      };
    } catch {
      return { labels: new Map(), engineChecked: false };
    }
  }
}

function group<T extends { customerId: string }>(rows: T[]): { value: string; rows: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(row.customerId, [...(groups.get(row.customerId) ?? []), row]);
  return [...groups.entries()]
    .map(([value, list]) => ({ value, rows: list }))
    .sort((a, b) => b.rows.length - a.rows.length || a.value.localeCompare(b.value));
}
