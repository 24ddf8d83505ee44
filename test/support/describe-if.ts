/**
 * `describe` when the service a block needs is there; otherwise one skipped placeholder test and
 * the block's body is never run (describe.skip would still run it, and bodies that set up
 * clients from a missing URL would crash the whole file).
 */
export function describeIf(available: boolean): (name: string, body: () => void) => void {
  return (name, body) => (available ? describe(name, body) : describe(name, () => it.skip('needs a service that is not configured', () => undefined)));
}
