import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';

const BASE = 36;
const BLOCK = BASE ** 4;
const pad = (value: number, size: number) => value.toString(BASE).padStart(size, '0').slice(-size);

/** Two characters of pid and two of host name, as Prisma's cuid() uses. */
const FINGERPRINT =
  pad(process.pid, 2) + pad([...hostname()].reduce((sum, ch) => sum + ch.charCodeAt(0), hostname().length + BASE), 2);
let counter = 0;

/**
 * An id in the format of Prisma's `@default(cuid())` (cuid v1: `c`, time, counter, fingerprint,
 * random; 25 characters), for rows berth inserts on the driver: every id in a table keeps one
 * format whichever path wrote the row. The random part comes from the CSPRNG (Prisma's uses
 * Math.random). Unique per process by the counter within a millisecond, across processes by
 * the fingerprint and the random part; not secret (ids never are here: ownership is checked).
 */
export function cuid(): string {
  counter = counter < BLOCK ? counter : 0;
  return `c${Date.now().toString(BASE)}${pad(counter++, 4)}${FINGERPRINT}${pad(randomInt(BLOCK), 4)}${pad(randomInt(BLOCK), 4)}`;
}
