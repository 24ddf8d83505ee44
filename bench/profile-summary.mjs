// Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went: self time by package
// and the hottest functions. Usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

export function summarize(file, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  // Self time per node from the sample timeline (timeDeltas[i] is the gap before samples[i]).
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byPackage = new Map();
  const byFunction = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const pct = (us) => `${((us / total) * 100).toFixed(1)}%`;
  const rows = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `  ${pct(us).padStart(6)}  ${k}`);
  return [`${file}: ${(total / 1e6).toFixed(1)} s sampled`, 'self time by package:', ...rows(byPackage, 15), 'hottest functions:', ...rows(byFunction, top)].join('\n');
}

function packageOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  return url.includes('/dist/') ? 'berth (dist)' : shortUrl(url);
}

const shortUrl = (url) => url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/');

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${summarize(process.argv[2], Number(process.argv[3] ?? 25))}\n`);
}
