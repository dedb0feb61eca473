// Totals the JSON summaries that every package's vitest run writes (.vitest-results.json) and
// prints the closing line CI reads: "N passed, M failed". Exits non-zero when a package that
// has tests wrote no summary, so a crashed runner can never look green.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaceDirs = ['packages', 'apps']
  .flatMap((group) =>
    existsSync(join(root, group)) ? readdirSync(join(root, group)).map((d) => join(group, d)) : [],
  )
  .concat(['test', 'bench']);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of workspaceDirs) {
  const manifest = join(root, dir, 'package.json');
  if (!existsSync(manifest)) continue;
  const scripts = JSON.parse(readFileSync(manifest, 'utf8')).scripts ?? {};
  if (!scripts.test) continue;
  const file = join(root, dir, '.vitest-results.json');
  if (!existsSync(file)) {
    missing.push(dir);
    continue;
  }
  const result = JSON.parse(readFileSync(file, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + (result.numTodoTests ?? 0);
  // A suite that failed to load has no failed tests but did fail.
  failed += result.testResults.filter(
    (r) => r.status === 'failed' && r.assertionResults.length === 0,
  ).length;
  console.log(`${dir.padEnd(22)} ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
}
for (const dir of missing) console.log(`${dir.padEnd(22)} wrote no test results`);
failed += missing.length;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
