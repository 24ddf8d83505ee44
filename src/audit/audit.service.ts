import { Injectable } from '@nestjs/common';
import { currentRequestContext } from '../common/request-context';
import type { AuditEvent, Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { SqlTx, sqlOf } from '../prisma/sql-tx';
import { eventHash, GENESIS_HASH, HashedFields } from './canonical';

/** Who acted: a user (id and label), an operator at the CLI (no id), or nobody (null). */
export interface Actor {
  id: string | null;
  label: string;
}

/** An actor that is a user (admins and customers, as opposed to an operator at the CLI). */
export type UserActor = Actor & { id: string };

export interface AuditInput {
  action: string;
  actor: Actor | null;
  /** On whose behalf (the customer whose data changed), when there is one. */
  customerId?: string | null;
  targetType?: string;
  targetId?: string;
  reason?: string | null;
  data?: Record<string, unknown>;
}

export interface AuditQuery {
  action?: string;
  actorId?: string;
  customerId?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBadEventId: number | null;
}

/** All appends in every process queue on this lock: the chain has one order. */
const AUDIT_LOCK_KEY = 72_617_005_001;
const VERIFY_BATCH = 1000;

/**
 * The append-only audit log. `record` must be given the transaction of the change it
 * describes: the event and the change commit together or not at all. There is deliberately
 * no method that updates or deletes an event.
 */
@Injectable()
export class AuditService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Every audited write in the system comes through here, in the caller's transaction (Prisma's
   * or a direct one), as three plain SQL statements: Prisma model queries cost ~1-2.4 ms of CPU
   * each (bench/README.md). The lock is its own statement: in READ COMMITTED a statement's
   * snapshot is taken when it starts, so the chain's head must be read by a statement that
   * starts after the lock is held.
   */
  async record(tx: SqlTx, input: AuditInput): Promise<void> {
    const sql = sqlOf(tx);
    await sql.query(`SELECT 1 AS locked FROM pg_advisory_xact_lock($1::bigint)`, [AUDIT_LOCK_KEY]);
    const [last] = await sql.query<{ seq: number; hash: string }>(`SELECT "seq", "hash" FROM "AuditEvent" ORDER BY "seq" DESC LIMIT 1`);
    const context = currentRequestContext();
    // Hashed as it will read back from the column (a Date inside becomes its ISO string, etc.).
    const dataJson = JSON.stringify(input.data ?? {});
    const e: HashedFields = {
      seq: (last?.seq ?? 0) + 1,
      at: new Date(),
      action: input.action,
      actorId: input.actor?.id ?? null,
      actorLabel: input.actor?.label ?? null,
      customerId: input.customerId ?? null,
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      reason: input.reason ?? null,
      ip: context?.ip ?? null,
      userAgent: context?.userAgent ?? null,
      requestId: context?.requestId ?? null,
      data: JSON.parse(dataJson) as unknown,
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    // `at` goes in as an explicit UTC instant: the column is a timestamp without time zone (as
    // Prisma stores DateTime), and the stored value must be the hashed one to the millisecond.
    await sql.query(
      `INSERT INTO "AuditEvent" ("seq", "at", "action", "actorId", "actorLabel", "customerId", "targetType", "targetId",
                                 "reason", "ip", "userAgent", "requestId", "data", "prevHash", "hash")
       VALUES ($1::int, $2::timestamptz AT TIME ZONE 'UTC', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15)`,
      [e.seq, e.at.toISOString(), e.action, e.actorId, e.actorLabel, e.customerId, e.targetType, e.targetId, e.reason, e.ip,
        e.userAgent, e.requestId, dataJson, e.prevHash, eventHash(e)],
    );
  }

  /** Records in a transaction of its own, for events that change nothing else (a failed login). */
  recordAlone(input: AuditInput): Promise<void> {
    return this.prisma.directTransaction((sql) => this.record(sql, input));
  }

  async list(query: AuditQuery): Promise<{ items: AuditEvent[]; total: number; page: number; pageSize: number }> {
    const where: Prisma.AuditEventWhereInput = {
      action: query.action,
      actorId: query.actorId,
      customerId: query.customerId,
      targetId: query.targetId,
      at: query.from || query.to ? { gte: query.from, lte: query.to } : undefined,
    };
    const [total, items] = await Promise.all([
      this.prisma.auditEvent.count({ where }),
      this.prisma.auditEvent.findMany({
        where,
        orderBy: { seq: 'desc' },
        skip: (query.page - 1) * query.pageSize,
        take: query.pageSize,
      }),
    ]);
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  /** Walks the whole chain in order: every hash recomputed, every link and sequence number checked. */
  async verify(): Promise<VerifyResult> {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let checked = 0;
    for (;;) {
      const batch = await this.prisma.auditEvent.findMany({
        where: { seq: { gte: expectedSeq } },
        orderBy: { seq: 'asc' },
        take: VERIFY_BATCH,
      });
      for (const event of batch) {
        const { hash, ...fields } = event;
        if (event.seq !== expectedSeq || event.prevHash !== prevHash || eventHash(fields) !== hash) {
          return { ok: false, checked, firstBadEventId: event.seq };
        }
        checked++;
        prevHash = hash;
        expectedSeq++;
      }
      if (batch.length < VERIFY_BATCH) return { ok: true, checked, firstBadEventId: null };
    }
  }
}
