import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';

async function testFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await testFiles(path)));
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

describe('every strategy package runs the conformance suite', async () => {
  const packages = (await readdir(join(repoRoot, 'packages'))).filter((name) => name.startsWith('strategy-') && name !== 'strategy-kit');

  it('finds the three strategy packages', () => {
    expect(packages.sort()).toEqual(['strategy-artifact', 'strategy-hidden-whiteout', 'strategy-kernel-layer']);
  });

  it.each(packages.map((p) => [p]))('%s calls testStrategy() from a test file', async (name) => {
    const files = await testFiles(join(repoRoot, 'packages', name, 'src'));
    const callers = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      if (/from '@metalayer\/conformance'/.test(text) && /\btestStrategy\(\{/.test(text)) callers.push(file);
    }
    expect(callers, `${name} must call testStrategy({ create }) from @metalayer/conformance`).not.toEqual([]);
  });
});
