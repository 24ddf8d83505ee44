import { cuid } from './cuid';

describe('cuid', () => {
  it("has the format of Prisma's cuid(): c + 24 lowercase base-36 characters, time first", () => {
    const id = cuid();
    expect(id).toMatch(/^c[a-z0-9]{24}$/);
    expect(parseInt(id.slice(1, 9), 36)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('never repeats within a tight loop, and sorts by creation time across milliseconds', async () => {
    const ids = Array.from({ length: 50_000 }, cuid);
    expect(new Set(ids).size).toBe(ids.length);
    const before = cuid();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(cuid() > before).toBe(true);
  });
});
