// `npm start` on a fresh clone (or after a pull) builds first: rebuild when dist/ is missing or
// older than any source file, so nobody runs yesterday's code by accident.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const stamp = 'dist/main.js';

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const sources = ['src', 'prisma/schema.prisma', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const stale = !existsSync(stamp) || sources.some((path) => existsSync(path) && newestMtime(path) > statSync(stamp).mtimeMs);
if (stale) {
  console.error('berth: building (dist/ is missing or older than the sources)…');
  execSync('npm run -s build', { stdio: 'inherit' });
}
