import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDumpfileSync } from '@metalayer/composefs';
import type { TarWriteEntry } from '@metalayer/oci';
import { useTempDir } from '@metalayer/test-utils';
import { main } from '../cli';
import { buildTestImage } from '@metalayer/test-fixtures';
import { captureIo } from '../test-support/capture-io';

const enc = new TextEncoder();
const LAYERS: TarWriteEntry[][] = [
  [
    { name: 'usr/', type: 'directory', mtime: 7 },
    { name: 'usr/lib/', type: 'directory', mtime: 7 },
    { name: 'usr/lib/big', type: 'file', body: enc.encode('x'.repeat(1000)), xattrs: [['user.k', enc.encode('v')]] },
    { name: 'run/', type: 'directory' },
    { name: 'run/pid', type: 'file', body: enc.encode('1') },
  ],
  // Same layer: write a file, then white it out (composefs-rs deletes it; the spec keeps it).
  [
    { name: 'usr/lib/tmp', type: 'file', body: enc.encode('t') },
    { name: 'usr/lib/.wh.tmp', type: 'file' },
  ],
];

describe('metalayer dump', () => {
  const dir = useTempDir('cli-dump-');

  it('prints the composefs tree as a canonical dumpfile', async () => {
    const { reference } = await buildTestImage(
      join(dir, 'l'),
      LAYERS.map((entries) => ({ entries })),
      'a',
    );
    const c = captureIo();
    expect(await main(['dump', '--hash', 'sha256', reference], c.io), c.err()).toBe(0);
    const lines = c.text().split('\n');
    expect(lines[0]).toMatch(/^\/ \d+ 40755 4 0 0 0 7\.0 - - -$/);
    expect(c.text()).toContain('\n/run 27 40755 2 0 0 0 7.0 - - -\n');
    expect(c.text()).toMatch(/\n\/usr\/lib\/big 1000 100644 1 0 0 0 0\.0 [0-9a-f]{2}\/[0-9a-f]{62} - [0-9a-f]{64}\n/);
    expect(c.text()).not.toContain('user.k');
    expect(c.text()).not.toContain('/usr/lib/tmp');
    expect(parseDumpfileSync(c.text()).entries.size).toBe(2);
  });

  it('--container-view follows the OCI spec and keeps xattrs', async () => {
    const { reference } = await buildTestImage(
      join(dir, 'l'),
      LAYERS.map((entries) => ({ entries })),
      'b',
    );
    const c = captureIo();
    expect(await main(['dump', '--container-view', reference], c.io), c.err()).toBe(0);
    expect(c.text()).toContain('\n/usr/lib/tmp 1 100644 1 0 0 0 0.0 - t -\n');
    expect(c.text()).toContain('user.k=v');
    expect(c.text()).toContain('\n/run/pid 1 ');
  });

  it('--json wraps the dumpfile', async () => {
    const { reference } = await buildTestImage(
      join(dir, 'l'),
      LAYERS.map((entries) => ({ entries })),
      'c',
    );
    const c = captureIo();
    expect(await main(['dump', '--json', reference], c.io), c.err()).toBe(0);
    const report = JSON.parse(c.text());
    expect(report).toMatchObject({ view: 'composefs', algorithm: 'sha512' });
    expect(report.dumpfile.startsWith('/ ')).toBe(true);
  });
});
