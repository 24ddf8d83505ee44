// npm run bench:swarm  (root; uses scripts/swarm-lab.sh: three dockerd nodes in network namespaces)
// Measures berth on a swarm: create -> RUNNING through the API, and what a dead worker costs:
// how long until berth's /health/ready shows it down, and until every container runs elsewhere.
// Printed, never asserted.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LAB = join(ROOT, 'scripts', 'swarm-lab.sh');
const COUNT = 6;
const lab = (...args) => execFileSync(LAB, args, { encoding: 'utf8' }).trim();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(probe) {
  const start = Date.now();
  while (!(await probe())) {
    if (Date.now() - start > 120_000) throw new Error('timed out');
    await sleep(100);
  }
  return Date.now() - start;
}

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = s.address();
    s.close(() => resolve(free));
  });
});
const socket = lab('up');
const docker = new Docker({ socketPath: socket });
const berth = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
  cwd: ROOT,
  env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: 'memory', HOST: '127.0.0.1', PORT: String(port),
    CONTAINER_RUNTIME: 'swarm', DOCKER_HOST: `unix://${socket}`, SWARM_RESTART_DELAY_SECONDS: '0', RECONCILE_INTERVAL_SECONDS: '0' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const url = `http://127.0.0.1:${port}`;
try {
  await until(() => fetch(`${url}/health/live`).then((r) => r.ok, () => false));
  const password = 'bench-password-123';
  const reg = await (await fetch(`${url}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `s${randomBytes(3).toString('hex')}@bench.test`, username: `s${randomBytes(3).toString('hex')}`, password }) })).json();
  const auth = { authorization: `Bearer ${reg.accessToken}`, 'content-type': 'application/json' };
  const createMs = [];
  for (let i = 0; i < COUNT; i++) {
    const start = performance.now();
    const res = await fetch(`${url}/api/containers`, { method: 'POST', headers: auth, body: JSON.stringify({
      name: `c${i}`, image: 'localhost/busybox:latest', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'], memoryMb: 16, cpus: 0.05 }) });
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
    createMs.push(performance.now() - start);
  }
  const running = async () => {
    const nodes = new Map((await docker.listNodes()).map((n) => [n.ID, n.Description.Hostname]));
    const tasks = await docker.listTasks({ filters: { 'desired-state': ['running'] } });
    const live = tasks.filter((t) => t.Status.State === 'running' && nodes.get(t.NodeID) !== 'berth-lab-n3');
    return live.length === COUNT;
  };
  lab('kill', 'n3');
  const seenDownMs = until(async () => (await (await fetch(`${url}/health/ready`)).json()).engine.cluster?.nodesDown === 1);
  const rescheduledMs = until(running);
  const [down, back] = await Promise.all([seenDownMs, rescheduledMs]);
  const result = { createToRunningMs: { median: Math.round(median(createMs)), max: Math.round(Math.max(...createMs)) }, workerSeenDownMs: down, allRunningAgainMs: back };
  console.log(JSON.stringify(result, null, 2));
} finally {
  berth.kill('SIGTERM');
  lab('down');
}
