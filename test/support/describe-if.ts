/**
/** Straight to stderr: Jest drops console output of a file whose tests are all skipped. */
function skipped(name: string, reason: string): void {
  process.stderr.write(`SKIPPED ${name}: ${reason}\n`);
}

/**
 * `describe` when what a block needs is there. Otherwise one line on stderr says what is skipped
 * and why, the block shows as one skipped test carrying that reason, and its body is never run
 * (describe.skip would still run it, and bodies that set up clients from a missing URL would
 * crash the whole file).
 */
export function describeIf(available: boolean, reason: string): (name: string, body: () => void) => void {
  return (name, body) => {
    if (available) return describe(name, body);
    skipped(name, reason);
    describe(name, () => it.skip(`skipped: ${reason}`, () => undefined));
  };
}

/** The same for a single test. */
export function itIf(available: boolean, reason: string): (name: string, body: () => Promise<void>) => void {
  return (name, body) => {
    if (available) return it(name, body);
    skipped(name, reason);
    it.skip(`${name} (skipped: ${reason})`, body);
  };
}
