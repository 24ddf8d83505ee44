import { Prisma } from '../generated/prisma/client';

/**
 * Database constraint errors arrive in three shapes: as Prisma's P2002 (through
 * @prisma/adapter-pg, which maps PostgreSQL errors), as the raw PostgreSQL error that
 * pglite-prisma-adapter 0.6 passes through (`cause: { kind: 'postgres', code: '23505', detail }`),
 * or as the driver's own error from statements berth runs on the driver.
 * These helpers read all three, so services and the error filter need not care which path or database ran.
 */
interface RawPostgresCause {
  kind: 'postgres';
  code: string;
  detail?: string;
  message?: string;
}

function rawPostgresCause(error: unknown): RawPostgresCause | undefined {
  const cause = (error as { name?: unknown; cause?: unknown } | null)?.cause as Partial<RawPostgresCause> | undefined;
  if ((error as { name?: unknown } | null)?.name !== 'DriverAdapterError' || cause?.kind !== 'postgres') return undefined;
  return cause as RawPostgresCause;
}

/**
 * An error from a statement run on the driver itself: pg's and PGlite's DatabaseError (from
 * their own copies of pg-protocol, so recognised by shape: a SQLSTATE `code` and a `severity`).
 */
function driverError(error: unknown): { code: string; detail?: string } | undefined {
  const e = error as { code?: unknown; severity?: unknown; detail?: unknown } | null;
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code) || typeof e.severity !== 'string') return undefined;
  return { code: e.code, detail: typeof e.detail === 'string' ? e.detail : undefined };
}

/** `Key (email)=(…) already exists.` -> ['email'] */
function fieldsFromDetail(detail: string | undefined): string[] {
  const list = detail?.match(/Key \(([^)]+)\)/)?.[1];
  return list ? list.split(', ').map((field) => field.replace(/^"|"$/g, '')) : [];
}

/** The columns of a unique violation, or undefined when the error is something else. */
export function uniqueViolationFields(error: unknown): string[] | undefined {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code !== 'P2002') return undefined;
    const meta = error.meta;
    const target = meta?.target;
    if (Array.isArray(target)) return target.map(String);
    if (typeof target === 'string') return [target];
    const adapterError = meta?.driverAdapterError as { cause?: { constraint?: { fields?: unknown } } } | undefined;
    const fields = adapterError?.cause?.constraint?.fields;
    return Array.isArray(fields) ? fields.map((field) => String(field).replace(/^"|"$/g, '')) : [];
  }
  const raw = rawPostgresCause(error) ?? driverError(error);
  return raw?.code === '23505' ? fieldsFromDetail(raw.detail) : undefined;
}

/** True when a row the operation needed does not exist (Prisma's P2025). */
export function isRecordNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';
}

/**
 * The database gave up waiting rather than failing the request's logic: a lock not granted within
 * lock_timeout (SQLSTATE 55P03, driver transactions) or Prisma's interactive transaction timing
 * out (P2028). The request may simply be tried again.
 */
export function isDatabaseBusy(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === 'P2028';
  return (rawPostgresCause(error) ?? driverError(error))?.code === '55P03';
}
