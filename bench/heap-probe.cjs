// Loaded into berth by the bench only (node --expose-gc -r bench/heap-probe.cjs): on SIGUSR2 it
// runs a full GC and appends the live heap to $BENCH_HEAP_FILE. RSS alone cannot tell a leak from
// V8 simply not having collected yet; the heap left after a full GC can.
const { appendFileSync } = require('node:fs');

process.on('SIGUSR2', () => {
  global.gc?.();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  const mb = (n) => Math.round(n / 1048576);
  appendFileSync(process.env.BENCH_HEAP_FILE, `${JSON.stringify({ rssMb: mb(rss), heapUsedMb: mb(heapUsed), heapTotalMb: mb(heapTotal), externalMb: mb(external) })}\n`);
});
