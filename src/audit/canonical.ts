import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  seq: number;
  at: Date;
  action: string;
  actorId: string | null;
  actorLabel: string | null;
  customerId: string | null;
  targetType: string | null;
  targetId: string | null;
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  data: unknown;
  prevHash: string;
}

/** sha256 over the canonical event and the previous hash: editing, removing or reordering breaks it. */
export function eventHash(event: HashedFields): string {
  const canonical = canonicalJson({ ...event, at: event.at.toISOString() });
  return createHash('sha256').update(canonical).digest('hex');
}
