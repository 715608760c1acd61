#!/usr/bin/env node
// Benchmarks: runs every scripts/bench/*.bench.mjs section in name order (add a
// section by adding a file). Each exports `title` and `run(context)`; sections
// use the built packages (run `pnpm build` first; `pnpm bench` does).
// Usage: node --expose-gc scripts/bench/run.mjs [FILTER]   (FILTER matches section file names)
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const sections = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs') && (!filter || f.includes(filter)))
  .sort();

const scratch = mkdtempSync(join(tmpdir(), 'metalayer-bench-'));
console.log(`metalayer benchmarks — node ${process.version}, ${process.platform}/${process.arch}`);
let failed = 0;
try {
  for (const file of sections) {
    const section = await import(pathToFileURL(join(here, file)).href);
    console.log(`\n== ${section.title ?? file}`);
    try {
      await section.run({ root: join(here, '..', '..'), scratch, benchDir: here });
    } catch (error) {
      failed++;
      console.error(`section ${file} failed: ${error?.stack ?? error}`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
