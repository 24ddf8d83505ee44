import { Injectable, Logger } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user';
import { Actor, AuditInput, AuditService, UserActor } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { uniqueViolationFields } from '../common/prisma-errors';
import { AppConfig } from '../config/app-config';
import type { ContainerInstance, ContainerStatus } from '../generated/prisma/client';
import { cuid } from '../prisma/cuid';
import { PrismaService } from '../prisma/prisma.service';
import type { ContainerView } from './container.response';
import { CONTAINER_ROW } from './container-row';
import { statusFromEngine } from './container-state';
import type { CreateContainerDto } from './dto/create-container.dto';
import type { ListContainersQuery } from './dto/list-containers.query';
import { QuotaService } from './quota.service';
import {
  ContainerRuntime,
  ContainerStats,
  EngineRejectedError,
  EngineUnavailableError,
  EngineUnsupportedError,
} from './runtime/container-runtime';

export interface ContainerList {
  items: ContainerView[];
  total: number;
  page: number;
  pageSize: number;
}

/** Who a container is made for and by: the same user on customer routes. */
export interface Provisioning {
  ownerId: string;
  actor: UserActor;
  input: CreateContainerDto;
  /** Admins must give one; it goes into the audit event. */
  reason?: string;
  /** Admins may exceed the owner's quota; the admin path records it. */
  overrideQuota?: boolean;
}

/**
 * Whose containers an operation may touch. Customer routes always pass `{ ownerId }` and the
 * owner becomes part of every query; only the admin controller passes `{ anyOwner: true }`.
 */
export type Scope = { ownerId: string } | { anyOwner: true };

/** Who asks for a change and why (the reason is required on admin routes). */
export interface Change {
  actor: Actor;
  reason?: string;
}

/** Fields a client may send that berth never takes from the body; seeing them means a client needs fixing. */
export interface IgnoredOwnerFields {
  customerId?: unknown;
  createdById?: unknown;
}

type Lifecycle = 'start' | 'stop' | 'restart';

const NOT_FOUND = () => new DomainError('NOT_FOUND', 'Container not found');
const ENGINE_DOWN = (what: string) =>
  new DomainError('ENGINE_UNAVAILABLE', `The container engine is unavailable; ${what}. Try again later.`);

/**
 * Customers' containers. Every read and write names the owner in its query
 * (`where: { id, customerId }`), so another customer's container is simply not found.
 */
@Injectable()
export class ContainersService {
  private readonly logger = new Logger(ContainersService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly runtime: ContainerRuntime,
    private readonly quotas: QuotaService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** Customer route: the owner is the caller, whatever the body said. */
  async createForCaller(caller: AuthUser, input: CreateContainerDto, ignored: IgnoredOwnerFields): Promise<ContainerInstance> {
    if (ignored.customerId !== undefined || ignored.createdById !== undefined) {
      const supplied = { suppliedCustomerId: preview(ignored.customerId), suppliedCreatedById: preview(ignored.createdById) };
      this.logger.warn(
        { user: caller.label, ...supplied },
        'Client sent an owner field on POST /api/containers; ignored (the owner is the caller). Fix that client.',
      );
      await this.audit.recordAlone({
        action: 'container.owner_field_ignored',
        actor: caller,
        customerId: caller.id,
        data: supplied,
      });
    }
    return this.provision({ ownerId: caller.id, actor: caller, input });
  }

  /**
   * Reserves the row (quota and name checked under the customer's lock), then creates and
   * starts the engine container. Engine down: the row is removed again (nothing half-made).
   * Engine refuses: the row is FAILED with the engine's reason and no engine container remains.
   */
  async provision(request: Provisioning): Promise<ContainerInstance> {
    const spec = this.resolveSpec(request.input);
    const row = await this.reserve(request, spec);
    let engineId: string | undefined;
    try {
      // engineId is written once, with the status: if the process dies before that, reconciliation
      // finds the engine container by its instance label and adopts it.
      engineId = await this.runtime.create({ instanceId: row.id, customerId: row.customerId, ...spec });
      await this.runtime.start(engineId);
      const state = (await this.runtime.inspect(engineId))?.state ?? 'running';
      const [running] = await this.prisma.directQuery<ContainerInstance>(
        `UPDATE "ContainerInstance" SET "engineId" = $2, "status" = $3::"ContainerStatus", "lastError" = NULL,
               "updatedAt" = now() AT TIME ZONE 'UTC'
          WHERE "id" = $1 RETURNING ${CONTAINER_ROW}`,
        [row.id, engineId, statusFromEngine(state)],
      );
      return running;
    } catch (error) {
      if (error instanceof EngineUnavailableError) {
        if (engineId) await this.runtime.remove(engineId).catch(() => undefined); // reconciliation reports it if this fails
        await this.prisma.$transaction(async (tx) => {
          await tx.containerInstance.delete({ where: { id: row.id } });
          await this.audit.record(tx, this.event('container.create_aborted', row, { actor: request.actor }, { error: error.message }));
        });
        throw ENGINE_DOWN('nothing was created');
      }
      if (error instanceof EngineRejectedError) {
        if (engineId) await this.runtime.remove(engineId).catch(() => undefined);
        await this.prisma.$transaction(async (tx) => {
          await tx.containerInstance.update({
            where: { id: row.id },
            data: { status: 'FAILED', engineId: null, lastError: error.message },
          });
          await this.audit.record(tx, this.event('container.create_failed', row, { actor: request.actor }, { error: error.message }));
        });
        throw new DomainError('ENGINE_REJECTED', `The engine refused the container: ${error.message}`);
      }
      throw error; // left PROVISIONING: reconciliation settles it
    }
  }

  /**
   * The caller's page, newest first. The customers' hottest read, so one query on the driver
   * with the total as a window count (a second query only for a page past the end), reading
   * only the columns the response shows.
   */
  async list(ownerId: string, query: ListContainersQuery): Promise<ContainerList> {
    const [where, params] = query.status
      ? [`"customerId" = $1 AND "status" = $2::"ContainerStatus"`, [ownerId, query.status]]
      : [`"customerId" = $1 AND "status" <> 'DELETED'`, [ownerId]];
    const n = params.length;
    const rows = await this.prisma.directQuery<ContainerView & { total: number }>(
      `SELECT "id", "customerId", "name", "image", "status"::text AS "status", "memoryMb", "cpus",
              coalesce("command", '{}') AS "command", "createdAt" AT TIME ZONE 'UTC' AS "createdAt",
              "updatedAt" AT TIME ZONE 'UTC' AS "updatedAt", "lastError", count(*) OVER ()::int AS "total"
         FROM "ContainerInstance"
        WHERE ${where}
        ORDER BY "createdAt" DESC, "id" DESC
        LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, query.pageSize, (query.page - 1) * query.pageSize],
    );
    let total = rows[0]?.total;
    if (total === undefined) {
      const [counted] = await this.prisma.directQuery<{ total: number }>(
        `SELECT count(*)::int AS "total" FROM "ContainerInstance" WHERE ${where}`,
        params,
      );
      total = counted.total;
    }
    const items = rows.map(({ total: _total, ...row }) => row);
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  async get(scope: Scope, id: string): Promise<ContainerInstance> {
    // Every single-container route starts here: one read on the driver (measured ~0.3 ms against
    // ~3.4 ms for the Prisma model query in a provisioning round; bench/README.md).
    if (id.length > 64) throw NOT_FOUND();
    const [owner, params] = 'ownerId' in scope ? [`AND "customerId" = $2`, [id, scope.ownerId]] : ['', [id]];
    const [row] = await this.prisma.directQuery<ContainerInstance>(
      `SELECT ${CONTAINER_ROW} FROM "ContainerInstance" WHERE "id" = $1 ${owner} AND "status" <> 'DELETED'`,
      params,
    );
    if (!row) throw NOT_FOUND();
    return row;
  }

  start(scope: Scope, id: string, change: Change): Promise<ContainerInstance> {
    return this.lifecycle(scope, id, 'start', change);
  }

  stop(scope: Scope, id: string, change: Change): Promise<ContainerInstance> {
    return this.lifecycle(scope, id, 'stop', change);
  }

  restart(scope: Scope, id: string, change: Change): Promise<ContainerInstance> {
    return this.lifecycle(scope, id, 'restart', change);
  }

  /** Removes the engine container; the row stays, DELETED, for the record (and frees the name). */
  async remove(scope: Scope, id: string, change: Change): Promise<void> {
    const row = await this.get(scope, id);
    if (row.engineId) {
      await this.engineCall(row, () => this.runtime.remove(row.engineId!), 'it was not deleted');
    }
    await this.prisma.directTransaction(async (sql) => {
      const deleted = await sql.query(
        `UPDATE "ContainerInstance" SET "status" = 'DELETED', "activeName" = NULL, "deletedAt" = now() AT TIME ZONE 'UTC',
                "updatedAt" = now() AT TIME ZONE 'UTC'
          WHERE "id" = $1 AND "customerId" = $2 AND "status" <> 'DELETED' RETURNING "id"`,
        [row.id, row.customerId],
      );
      if (!deleted.length) throw NOT_FOUND(); // a concurrent delete got there first: one audit event, not two
      await this.audit.record(sql, this.event('container.delete', row, change));
    });
  }

  /**
   * Admin only: gives the container to another existing user, under the new owner's quota
   * (unless overridden) and lock. The engine label keeps the owner at creation, for forensics.
   */
  async transfer(id: string, toCustomerId: string, change: Change & { overrideQuota?: boolean }): Promise<ContainerInstance> {
    const row = await this.get({ anyOwner: true }, id);
    if (row.customerId === toCustomerId) {
      throw new DomainError('INVALID_STATE', 'The container already belongs to that customer');
    }
    try {
      return await this.prisma.$transaction(
        async (tx) => {
          if (!change.overrideQuota && row.status !== 'FAILED') await this.quotas.assertFits(tx, toCustomerId, row);
          const moved = await tx.containerInstance.update({
            where: { id: row.id, customerId: row.customerId, status: { not: 'DELETED' } },
            data: { customerId: toCustomerId },
          });
          await this.audit.record(tx, {
            ...this.event('container.transfer', moved, change),
            data: { fromCustomerId: row.customerId, toCustomerId, overrideQuota: Boolean(change.overrideQuota) },
          });
          return moved;
        },
        { maxWait: 10_000, timeout: 15_000 },
      );
    } catch (error) {
      if (uniqueViolationFields(error)) {
        throw new DomainError('NAME_TAKEN', `The new owner already has a container named ${row.name}`, [
          { field: 'toCustomerId', message: `the new owner already has a container named ${row.name}` },
        ]);
      }
      throw error;
    }
  }

  async logs(scope: Scope, id: string, tail: number): Promise<string> {
    const row = this.requireEngine(await this.get(scope, id));
    return this.engineCall(row, () => this.runtime.logs(row.engineId!, tail), 'logs are not available');
  }

  async stats(scope: Scope, id: string): Promise<ContainerStats> {
    const row = this.requireEngine(await this.get(scope, id));
    return this.engineCall(row, () => this.runtime.stats(row.engineId!), 'stats are not available');
  }

  private async lifecycle(scope: Scope, id: string, action: Lifecycle, change: Change): Promise<ContainerInstance> {
    const row = this.requireEngine(await this.get(scope, id));
    const state = await this.engineCall(
      row,
      async () => {
        await this.runtime[action](row.engineId!);
        return (await this.runtime.inspect(row.engineId!))?.state;
      },
      `the container was not ${action === 'stop' ? 'stopped' : 'started'}`,
    );
    const status: ContainerStatus = state ? statusFromEngine(state) : 'MISSING';
    return this.prisma.$transaction(async (tx) => {
      const updated = await tx.containerInstance.update({
        where: { id: row.id, customerId: row.customerId },
        data: { status, lastError: null },
      });
      await this.audit.record(tx, { ...this.event(`container.${action}`, row, change), data: { status } });
      return updated;
    });
  }

  /** The audit event for an act on a container: dual attribution (actor, and the owner as customer). */
  private event(action: string, row: ContainerInstance, change: Change, data: Record<string, unknown> = {}): AuditInput {
    return {
      action,
      actor: change.actor,
      customerId: row.customerId,
      targetType: 'container',
      targetId: row.id,
      reason: change.reason ?? null,
      data: { name: row.name, ...data },
    };
  }

  /** Engine faults become API errors; a container the engine no longer has is marked MISSING. */
  private async engineCall<T>(row: ContainerInstance, work: () => Promise<T>, unavailable: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof EngineUnavailableError) throw ENGINE_DOWN(unavailable);
      if (error instanceof EngineRejectedError && error.statusCode === 404) {
        // Not over a delete that finished meanwhile: DELETED stays DELETED.
        await this.prisma.containerInstance.updateMany({ where: { id: row.id, status: { not: 'DELETED' } }, data: { status: 'MISSING' } });
        throw new DomainError('INVALID_STATE', 'The container no longer exists on the engine (MISSING)');
      }
      // The engine's 409 is a state conflict (e.g. a removal already in progress), not a bad request.
      if (error instanceof EngineRejectedError && error.statusCode === 409) throw new DomainError('INVALID_STATE', error.message);
      if (error instanceof EngineRejectedError) throw new DomainError('ENGINE_REJECTED', error.message);
      if (error instanceof EngineUnsupportedError) throw new DomainError('ENGINE_UNSUPPORTED', error.message);
      throw error;
    }
  }

  private requireEngine(row: ContainerInstance): ContainerInstance {
    if (!row.engineId || row.status === 'MISSING') {
      throw new DomainError('INVALID_STATE', `The container is ${row.status} and has no engine container`);
    }
    return row;
  }

  private resolveSpec(input: CreateContainerDto) {
    const limits = this.config.containers;
    const memoryMb = input.memoryMb ?? limits.defaultMemoryMb;
    const cpus = input.cpus ?? limits.defaultCpus;
    const fields = [];
    if (!limits.allowedImages.includes(input.image)) {
      fields.push({ field: 'image', message: `image must be one of: ${limits.allowedImages.join(', ')}` });
    }
    if (memoryMb > limits.maxMemoryMb) fields.push({ field: 'memoryMb', message: `memoryMb must be at most ${limits.maxMemoryMb}` });
    if (cpus > limits.maxCpus) fields.push({ field: 'cpus', message: `cpus must be at most ${limits.maxCpus}` });
    if (fields.length) throw new DomainError('VALIDATION_FAILED', fields.map((f) => f.message).join('; '), fields);
    return { image: input.image, command: input.command, env: input.env ?? {}, memoryMb, cpus };
  }

  /**
   * The row, its quota check and its audit event in one transaction on the driver (customers
   * wait on this path; see PrismaService.directTransaction). The id is Prisma's cuid format.
   */
  private async reserve(request: Provisioning, spec: ReturnType<ContainersService['resolveSpec']>): Promise<ContainerInstance> {
    try {
      return await this.prisma.directTransaction(async (sql) => {
        if (!request.overrideQuota) await this.quotas.assertFits(sql, request.ownerId, spec);
        const [row] = await sql.query<ContainerInstance>(
          `INSERT INTO "ContainerInstance" ("id", "customerId", "createdById", "name", "activeName", "image", "command", "env",
                                            "memoryMb", "cpus", "status", "createdAt", "updatedAt")
           VALUES ($1, $2, $3, $4, $4, $5, $6::text[], $7::jsonb, $8::int, $9::float8, 'PROVISIONING',
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
           RETURNING ${CONTAINER_ROW}`,
          [cuid(), request.ownerId, request.actor.id, request.input.name, spec.image, spec.command ?? [],
            JSON.stringify(spec.env ?? {}), spec.memoryMb, spec.cpus],
        );
        await this.audit.record(
          sql,
          this.event('container.create', row, request, {
            image: row.image,
            memoryMb: row.memoryMb,
            cpus: row.cpus,
            createdById: row.createdById,
            onBehalfOf: row.customerId !== row.createdById,
            overrideQuota: Boolean(request.overrideQuota),
          }),
        );
        return row;
      });
    } catch (error) {
      if (uniqueViolationFields(error)) {
        throw new DomainError('NAME_TAKEN', `A container named ${request.input.name} already exists`, [
          { field: 'name', message: 'name is already used by one of your containers' },
        ]);
      }
      throw error;
    }
  }
}

function preview(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value).slice(0, 100);
}
