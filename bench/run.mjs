// npm run bench [-- --quick] [-- --db postgres]
// Starts berth (and a raw baseline) on loopback, seeds by SQL, drives load with autocannon in a
// separate process, prints a markdown table and writes bench/results/<date>-<db>.json.
// Numbers are measured, never asserted: nothing here fails because the machine is slow.
import { hash } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_USER, seedSql } from './seed.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dbKind = args.includes('--db') ? args[args.indexOf('--db') + 1] : 'pglite';
// --profile: berth runs with --cpu-prof; the profile's hottest functions are printed at the end.
const profileDir = args.includes('--profile') ? mkdtempSync(join(tmpdir(), 'berth-cpu-prof-')) : undefined;
const DURATION = quick ? 3 : 10;
const WARMUP = quick ? 2 : 5;
const SECRET = randomBytes(48).toString('base64url'); // production mode refuses placeholders
const log = (message) => process.stderr.write(`${message}\n`);

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function rssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line.replace(/\D+/g, '')) / 1024);
}

async function waitFor(url, child, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startBerth(env) {
  const port = await freePort();
  const heapFile = join(mkdtempSync(join(tmpdir(), 'berth-heap-')), 'heap.jsonl');
  const nodeFlags = ['--expose-gc', '-r', join(ROOT, 'bench', 'heap-probe.cjs'), ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
  const child = spawn(process.execPath, [...nodeFlags, join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port),
      JWT_ACCESS_SECRET: SECRET, RECONCILE_INTERVAL_SECONDS: '0', LOGIN_MAX_FAILURES_PER_IP: '1000000', BENCH_HEAP_FILE: heapFile, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health/live`, child);
  /** Live heap after a full GC in berth (see heap-probe.cjs). */
  const heapAfterGc = async () => {
    child.kill('SIGUSR2');
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const lines = existsSync(heapFile) ? readFileSync(heapFile, 'utf8').trim().split('\n') : [];
      if (lines.length > heapReads) return JSON.parse(lines[heapReads++]);
    }
    throw new Error('berth did not report its heap');
  };
  let heapReads = 0;
  return { url, child, heapAfterGc, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))) };
}

/** The highest RSS seen while `work` runs (sampled every 200 ms), and its result. */
async function peakRss(pid, work) {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 200);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(timer);
  }
}

async function startRaw(target) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'raw-server.mjs'), String(port), target, SECRET], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/`, child);
  return { url, child, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))) };
}

/** autocannon in its own process, so the load generator's work is not berth's. */
function cannon(url, { connections, method = 'GET', body, headers = {}, duration = DURATION }) {
  const flags = ['-c', String(connections), '-d', String(duration), '-j', '-m', method];
  for (const [k, v] of Object.entries(headers)) flags.push('-H', `${k}=${v}`);
  if (body) flags.push('-H', 'content-type=application/json', '-b', JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'autocannon', 'autocannon.js'), ...flags, url], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', () => {
      try {
        const r = JSON.parse(out);
        resolve({ rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx });
      } catch (error) {
        reject(new Error(`autocannon output: ${out.slice(0, 200)}`));
      }
    });
  });
}

async function warmUp(url, headers) {
  await cannon(url, { connections: 10, headers, duration: WARMUP });
}

async function login(url) {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: BENCH_USER.username, password: BENCH_USER.password }) });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return (await res.json()).accessToken;
}

async function prepareDatabase() {
  const passwordHash = await hash(BENCH_USER.password);
  const { Migrator } = await import(join(ROOT, 'dist', 'prisma', 'migrator.js'));
  const { openSqlConnection, withSqlSession } = await import(join(ROOT, 'dist', 'prisma', 'sql-connection.js'));
  let target;
  let cleanup = () => {};
  if (dbKind === 'postgres') {
    const admin = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
    if (!admin) {
      log('bench --db postgres needs BENCH_POSTGRES_URL: a PostgreSQL server where it may create a database (nothing else is started).');
      process.exit(1);
    }
    const { default: pg } = await import('pg');
    const name = `berth_bench_${Date.now()}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    target = url.toString();
    cleanup = async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
    target = join(dir, 'db');
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  }
  const conn = await openSqlConnection(dbKind === 'postgres' ? { kind: 'postgres', url: target } : { kind: 'pglite', dataDir: target });
  const started = Date.now();
  await new Migrator(conn).migrate();
  await withSqlSession(conn, (s) => s.exec(seedSql(passwordHash)));
  await conn.close();
  log(`seeded 10,001 users and 100,020 containers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { target, databaseUrl: dbKind === 'postgres' ? target : `file:${target}`, cleanup };
}

async function provisioning(berthUrl, token, dockerHost, meter) {
  const { default: Docker } = await import('dockerode');
  // Raw dockerode goes through the same metering relay as berth, and like berth opens a
  // connection per call (the relay counts engine time per connection).
  const { Agent } = await import('node:http');
  const docker = new Docker({ socketPath: (meter?.host ?? dockerHost).replace('unix://', ''), agent: new Agent({ keepAlive: false }) });
  const rounds = quick ? 10 : 30;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const body = { image: 'localhost/busybox:latest', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'], memoryMb: 16, cpus: 0.05 };
  const raw = [];
  const viaBerth = [];
  const berthOwn = [];
  const rawOwn = [];
  // Rounds alternate raw and berth, and the overhead is the median of each round's difference:
  // the engine's own time swings by tens of ms from one minute to the next on this machine.
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    const c = await docker.createContainer({ Image: body.image, Cmd: body.command, HostConfig: { Memory: 16 << 20, NanoCpus: 5e7, NetworkMode: 'none' } });
    await c.start();
    await c.inspect();
    await c.remove({ force: true });
    raw.push(performance.now() - t);
    if (meter) rawOwn.push(raw[i] - meter.take());
    t = performance.now();
    const created = await fetch(`${berthUrl}/api/containers`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ ...body, name: `bench-p-${Date.now()}-${i}` }) });
    const { id } = await created.json();
    if (created.status !== 201) throw new Error(`provisioning failed: ${created.status}`);
    const deleted = await fetch(`${berthUrl}/api/containers/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    if (deleted.status !== 204) throw new Error(`delete failed: ${deleted.status}`);
    viaBerth.push(performance.now() - t);
    if (meter) berthOwn.push(viaBerth[i] - meter.take());
  }
  return {
    rounds,
    rawMedianMs: Math.round(median(raw)),
    berthMedianMs: Math.round(median(viaBerth)),
    overheadMs: Math.round(median(viaBerth.map((b, i) => b - raw[i]))),
    berthOwnMs: meter ? Math.round(median(berthOwn) * 10) / 10 : undefined,
    rawOwnMs: meter ? Math.round(median(rawOwn) * 10) / 10 : undefined,
    // Time outside the engine, berth minus raw dockerode, per pair: the engine's swings cancel,
    // and so do the machine's (the cores are busy right after a start for both).
    ownOverheadMs: meter ? Math.round(median(berthOwn.map((b, i) => b - rawOwn[i])) * 10) / 10 : undefined,
  };
}

/**
 * A unix-socket relay in front of the engine that adds up how long the engine took to answer
 * (first request byte in to last response byte out, per connection: berth's client opens one per
 * call). A provisioning round's time minus that is berth's own part, free of the engine's swings.
 */
async function engineMeter(engineSocket) {
  const { createServer, connect } = await import('node:net');
  const socketPath = join(mkdtempSync(join(tmpdir(), 'berth-engine-meter-')), 'docker.sock');
  let engineMs = 0;
  const server = createServer((client) => {
    const upstream = connect(engineSocket);
    let first;
    let last;
    client.on('data', (chunk) => {
      first ??= performance.now();
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      last = performance.now();
      client.write(chunk);
    });
    const done = () => {
      if (first !== undefined && last !== undefined) engineMs += last - first;
      first = last = undefined;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', done).on('error', done);
    upstream.on('close', done).on('error', done);
  });
  await new Promise((resolve) => server.listen(socketPath, resolve));
  return {
    host: `unix://${socketPath}`,
    take: () => {
      const taken = engineMs;
      engineMs = 0;
      return taken;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Everything started here is stopped on the way out, also when a scenario fails. */
const running = [];

async function main() {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  let dockerHost = process.env.BENCH_DOCKER_HOST;
  if (!dockerHost) {
    try {
      dockerHost = `unix://${execFileSync(join(ROOT, 'scripts', 'test-dockerd.sh'), ['start'], { encoding: 'utf8' }).trim()}`;
    } catch {
      log('no container engine: the provisioning scenario is skipped (set BENCH_DOCKER_HOST or run as root with docker.io available)');
    }
  }
  const meter = dockerHost?.startsWith('unix://') ? await engineMeter(dockerHost.slice('unix://'.length)) : undefined;
  if (meter) running.push(meter);
  const db = await prepareDatabase();
  const results = { date: new Date().toISOString(), db: dbKind, quick, durationSeconds: DURATION, scenarios: [] };
  const add = (name, r, extra = {}) => {
    results.scenarios.push({ name, ...r, ...extra });
    log(`${name}: ${r.rps ?? '-'} req/s p50 ${r.p50 ?? '-'} ms p99 ${r.p99 ?? '-'} ms errors ${r.errors ?? 0}`);
  };

  const berth = await startBerth({
    DATABASE_URL: db.databaseUrl,
    QUOTA_MAX_CONTAINERS: '1000',
    QUOTA_MAX_MEMORY_MB: '1000000',
    QUOTA_MAX_CPUS: '1000',
    ...(dockerHost ? { DOCKER_HOST: meter?.host ?? dockerHost } : {}),
  });
  running.push(berth);
  const token = await login(berth.url);
  const auth = { authorization: `Bearer ${token}` };
  const listConnections = quick ? [10] : [1, 10, 50];
  results.rssAtStartMb = rssMb(berth.child.pid);
  // Both servers get the same untimed warm-up, so the JIT's first seconds are nobody's number.
  await warmUp(`${berth.url}/api/containers`, auth);
  // Two identical rounds. RSS follows V8's heap sizing as much as any leak, so each round also
  // records its peak RSS and the live heap after a full GC: growth in the latter is a leak.
  for (const round of [1, 2]) {
    const suffix = round === 1 ? '' : ', second run';
    const { peak } = await peakRss(berth.child.pid, async () => {
      for (const c of listConnections) add(`GET /api/containers (berth) c=${c}${suffix}`, await cannon(`${berth.url}/api/containers`, { connections: c, headers: auth }), { connections: c, round });
      add(`GET /api/auth/me (berth) c=10${suffix}`, await cannon(`${berth.url}/api/auth/me`, { connections: 10, headers: auth }), { round });
    });
    results[`rssAfterRound${round}Mb`] = rssMb(berth.child.pid);
    results[`rssPeakRound${round}Mb`] = peak;
    results[`heapAfterGcRound${round}Mb`] = (await berth.heapAfterGc()).heapUsedMb;
  }
  const growth = (a, b) => Math.round(((b - a) / a) * 1000) / 10;
  results.rssPeakGrowthPercent = growth(results.rssPeakRound1Mb, results.rssPeakRound2Mb);
  results.heapGrowthPercent = growth(results.heapAfterGcRound1Mb, results.heapAfterGcRound2Mb);
  const [storm, meDuringStorm] = await Promise.all([
    cannon(`${berth.url}/api/auth/login`, { connections: 20, method: 'POST', body: { login: BENCH_USER.username, password: BENCH_USER.password } }),
    cannon(`${berth.url}/api/auth/me`, { connections: 10, headers: auth }),
  ]);
  add('POST /api/auth/login storm c=20', storm);
  add('GET /api/auth/me c=10 during the login storm', meDuringStorm);
  if (dockerHost) results.provisioning = await provisioning(berth.url, token, dockerHost, meter);
  results.rssAtEndMb = rssMb(berth.child.pid);
  results.heapAfterGcAtEndMb = (await berth.heapAfterGc()).heapUsedMb;
  await berth.stop();

  const raw = await startRaw(db.target);
  running.push(raw);
  await warmUp(`${raw.url}/`, auth);
  for (const c of listConnections) add(`GET list (raw node http + ${dbKind}) c=${c}`, await cannon(`${raw.url}/`, { connections: c, headers: auth }), { connections: c });
  await raw.stop();
  await db.cleanup();

  for (const c of listConnections) {
    const r = results.scenarios.find((s) => s.name === `GET list (raw node http + ${dbKind}) c=${c}`);
    const b = results.scenarios.find((s) => s.name === `GET /api/containers (berth) c=${c}`);
    results[`ratioC${c}`] = Math.round((b.rps / r.rps) * 100) / 100;
    results[`p99RatioC${c}`] = Math.round((b.p99 / r.p99) * 10) / 10;
  }

  const table = ['| scenario | req/s | p50 ms | p99 ms | errors |', '| --- | ---: | ---: | ---: | ---: |',
    ...results.scenarios.map((s) => `| ${s.name} | ${s.rps} | ${s.p50} | ${s.p99} | ${s.errors} |`)].join('\n');
  const p = results.provisioning;
  const extra = [
    ...listConnections.map((c) => `- berth / raw list at c=${c}: throughput **${results[`ratioC${c}`]}**, p99 **${results[`p99RatioC${c}`]}x**`),
    p ? `- provisioning (create+start+inspect+remove, ${p.rounds} paired rounds): raw dockerode ${p.rawMedianMs} ms, berth ${p.berthMedianMs} ms, difference (median of the pairs) ${p.overheadMs} ms; time outside engine calls: berth ${p.berthOwnMs} ms, raw dockerode ${p.rawOwnMs} ms, berth's overhead (median of the pairs) **${p.ownOverheadMs} ms**` : '- provisioning: skipped (no engine)',
    `- berth RSS: ${results.rssAtStartMb} MB at start; peak ${results.rssPeakRound1Mb} MB in round 1, ${results.rssPeakRound2Mb} MB in the identical round 2 (**${results.rssPeakGrowthPercent}%**); ${results.rssAtEndMb} MB at the end`,
    `- berth live heap after a full GC: ${results.heapAfterGcRound1Mb} MB after round 1, ${results.heapAfterGcRound2Mb} MB after round 2 (**${results.heapGrowthPercent}%**), ${results.heapAfterGcAtEndMb} MB at the end`,
  ].join('\n');
  process.stdout.write(`\n## berth bench (${dbKind}${quick ? ', quick' : ''}, ${results.date})\n\n${table}\n\n${extra}\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const file = join(ROOT, 'bench', 'results', `${results.date.slice(0, 19).replace(/:/g, '')}-${dbKind}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${file}`);
  if (profileDir) {
    const { summarize } = await import('./profile-summary.mjs');
    for (const f of readdirSync(profileDir)) process.stdout.write(`\n${summarize(join(profileDir, f))}\n`);
    log(`cpu profiles kept in ${profileDir} (open them in Chrome DevTools)`);
  }
}

main()
  .catch((error) => {
    log(`bench failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(() => Promise.all(running.map((p) => p.stop())));
