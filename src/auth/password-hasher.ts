import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import { ConcurrencyLimit } from '../common/concurrency-limit';

/**
 * argon2id through @node-rs/argon2, which hashes on libuv's thread pool: a login never blocks
 * the event loop. With four pool threads hashing on a two-core machine, though, the event loop
 * would wait for a core and every other request with it (/me p99 184 ms during a login storm):
 * at most cores - 1 hashes run at once, the rest queue, so one core stays with the event loop.
 */
@Injectable()
export class PasswordHasher {
  /** A real hash of nothing, checked when the login names no user: both paths cost the same. */
  private dummyHash?: Promise<string>;
  private readonly limit = new ConcurrencyLimit(Math.max(1, availableParallelism() - 1));

  hash(password: string): Promise<string> {
    return this.limit.run(() => hash(password, { algorithm: Algorithm.Argon2id }));
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await this.limit.run(() => verify(passwordHash, password));
    } catch {
      return false; // a malformed stored hash never lets anyone in
    }
  }

  /** Spends the same time as verify() and always fails. */
  async verifyNobody(password: string): Promise<false> {
    this.dummyHash ??= this.hash('no user has this password');
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
