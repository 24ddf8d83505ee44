import { readdirSync, readFileSync } from 'node:fs';
import { itIf } from '../../test/support/describe-if';
import { LowPriorityHashing } from './low-priority-hashing';

/** Nice values of this process's threads (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
    nice.set(Number(tid), Number(fields[16]));
  }
  return nice;
}

describe('LowPriorityHashing', () => {
  const hashing = new LowPriorityHashing();
  afterAll(() => hashing.close());

  it('hashes with argon2id and verifies the right password only', async () => {
    const hash = await hashing.hash('correct-horse-1');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hashing.verify(hash, 'correct-horse-1')).toBe(true);
    expect(await hashing.verify(hash, 'correct-horse-2')).toBe(false);
  });

  it('rejects a malformed stored hash instead of answering', async () => {
    await expect(hashing.verify('not-a-hash', 'x')).rejects.toThrow();
    expect(await hashing.hash('still works')).toMatch(/^\$argon2id\$/); // the thread survived
  });

  it('answers every one of many parallel jobs with its own result', async () => {
    const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => hashing.hash(`password-${i}`)));
    const checks = await Promise.all(hashes.map((hash, i) => hashing.verify(hash, `password-${i % 2 === 0 ? i : 'wrong'}`)));
    expect(checks).toEqual([true, false, true, false, true, false]);
  });

  itIf(process.platform === 'linux', `nice values per thread are a Linux feature (this is ${process.platform})`)('hashes on threads at nice 19 while the main thread keeps its priority', async () => {
    await hashing.hash('warm');
    const nice = threadNiceValues();
    expect(nice.get(process.pid)).toBe(0);
    expect([...nice.values()]).toContain(19);
  });
});
