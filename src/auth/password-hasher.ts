import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { LowPriorityHashing } from './low-priority-hashing';

/**
 * argon2id with @node-rs/argon2's defaults (19 MiB, 2 passes, 1 lane: OWASP's minimum), on
 * low-priority threads of its own so logins never take the cores from other requests.
 */
@Injectable()
export class PasswordHasher implements OnModuleDestroy {
  /** A real hash of nothing, checked when the login names no user: both paths cost the same. */
  private dummyHash?: Promise<string>;
  private readonly threads = new LowPriorityHashing();

  hash(password: string): Promise<string> {
    return this.threads.hash(password);
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await this.threads.verify(passwordHash, password);
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

  onModuleDestroy(): Promise<void> {
    return this.threads.close();
  }
}
