import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ConcurrencyLimit } from '../common/concurrency-limit';

type Job = { op: 'hash'; password: string } | { op: 'verify'; hash: string; password: string };
type Reply = { value: string | boolean } | { error: string };

/**
 * Runs in each hashing thread. On Linux the nice value belongs to the thread, so the thread
 * lowers its own priority (nice 19; raising nice needs no privilege): under a login storm the
 * scheduler gives the cores to the event loop and the database first and argon2id the rest.
 * Inline source (not a file) so the same code runs from dist/ and under Jest.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const argon2 = require(workerData.argon2);
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, 19);
} catch {} // not Linux: normal priority
parentPort.on('message', (job) => {
  try {
    const value = job.op === 'hash'
      ? argon2.hashSync(job.password, { algorithm: argon2.Algorithm.Argon2id })
      : argon2.verifySync(job.hash, job.password);
    parentPort.postMessage({ value });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
});`;

interface Pending {
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

/**
 * argon2id (@node-rs/argon2) on cores - 1 low-priority threads of our own, instead of libuv's
 * pool of four at normal priority, which on two cores took the event loop's core during a
 * login storm (/me p99 184 ms, bench/README.md). Jobs queue in arrival order.
 */
export class LowPriorityHashing {
  private readonly size = Math.max(1, availableParallelism() - 1);
  private readonly limit = new ConcurrencyLimit(this.size);
  private readonly idle: Worker[] = [];
  /** Each thread has at most one job (the limit sees to that). */
  private readonly current = new Map<Worker, Pending>();
  private workers: Worker[] = [];

  hash(password: string): Promise<string> {
    return this.run({ op: 'hash', password }) as Promise<string>;
  }

  verify(hash: string, password: string): Promise<boolean> {
    return this.run({ op: 'verify', hash, password }) as Promise<boolean>;
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    this.idle.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private run(job: Job): Promise<string | boolean> {
    return this.limit.run(async () => {
      const worker = this.idle.pop() ?? this.spawn();
      worker.ref(); // a pending hash keeps the process alive (the CLI awaits one with nothing else open)
      try {
        return await new Promise<string | boolean>((resolve, reject) => {
          this.current.set(worker, { resolve, reject });
          worker.postMessage(job);
        });
      } finally {
        worker.unref(); // an idle thread never holds the process open
        if (this.workers.includes(worker)) this.idle.push(worker);
      }
    });
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { argon2: require.resolve('@node-rs/argon2') } });
    worker.on('message', (reply: Reply) => {
      const job = this.current.get(worker);
      this.current.delete(worker);
      if ('error' in reply) job?.reject(new Error(reply.error));
      else job?.resolve(reply.value);
    });
    worker.on('error', (error) => this.fail(worker, error));
    worker.on('exit', (code) => this.fail(worker, new Error(`hashing thread exited with code ${code}`)));
    this.workers.push(worker);
    return worker;
  }

  /** A dead thread fails what it was doing and is replaced on the next job. */
  private fail(worker: Worker, error: Error): void {
    this.workers = this.workers.filter((w) => w !== worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    this.current.get(worker)?.reject(error);
    this.current.delete(worker);
  }
}
