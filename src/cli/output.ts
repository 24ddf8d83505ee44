import { userInfo, hostname } from 'node:os';
import type { Actor } from '../audit/audit.service';

/**
 * CLI output rules: stdout carries only what was asked for (a table, or JSON with --json);
 * messages, progress and errors go to stderr; exit codes are 0 ok, 1 failure, 2 usage error.
 */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) return;
  const text = (value: unknown) => (value === null || value === undefined ? '-' : value instanceof Date ? value.toISOString() : String(value));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => text(row[column]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((column) => text(row[column])))}\n`);
}

export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function fail(message: string, code = EXIT_FAILURE): void {
  process.stderr.write(`berth: ${message}\n`);
  process.exitCode = code;
}

/** A progress bar on stderr when it is a terminal; silent otherwise (scripts, CI, pipes). */
export function progress(total: number, label: string): (done: number) => void {
  if (!process.stderr.isTTY || total === 0) return () => undefined;
  return (done) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    if (done >= total) process.stderr.write('\n');
  };
}

/** Operators at the CLI are recorded by OS account and host; they have no user id. */
export function operatorActor(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { id: null, label: `operator ${name}@${hostname()} (cli)` };
}
