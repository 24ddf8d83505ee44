import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * argon2id through @node-rs/argon2, which hashes on libuv's thread pool: a login never blocks
 * the event loop, so other requests keep flowing while passwords are checked.
 */
@Injectable()
export class PasswordHasher {
  /** A real hash of nothing, checked when the login names no user: both paths cost the same. */
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: Algorithm.Argon2id });
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
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
