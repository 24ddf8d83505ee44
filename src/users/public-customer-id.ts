import type { Prisma } from '../generated/prisma/client';

export const PUBLIC_CUSTOMER_ID_COUNTER = 'publicCustomerId';

/** `u001` … `u999`, then `u1000`: at least three digits, never truncated. */
export function formatPublicCustomerId(n: number): string {
  return `u${String(n).padStart(3, '0')}`;
}

export const PUBLIC_CUSTOMER_ID_PATTERN = /^u\d{3,}$/;

/**
 * Takes the next number inside the caller's transaction. The counter row stays locked until
 * that transaction ends, so concurrent registrations (in any number of processes) queue here,
 * and a registration that fails rolls its number back: ids stay distinct and gapless.
 */
export async function allocatePublicCustomerId(tx: Prisma.TransactionClient): Promise<string> {
  const rows = await tx.$queryRaw<{ value: number }[]>`
    UPDATE "Counter" SET "value" = "value" + 1 WHERE "name" = ${PUBLIC_CUSTOMER_ID_COUNTER} RETURNING "value"`;
  if (rows.length !== 1) throw new Error(`Counter ${PUBLIC_CUSTOMER_ID_COUNTER} is missing; are migrations applied?`);
  return formatPublicCustomerId(Number(rows[0].value));
}
