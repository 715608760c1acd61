import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTools, run, useTempDir, vectorsPath } from '@metalayer/test-utils';
import { main } from '../cli';
import { captureIo } from '../test-support/capture-io';

async function mkcomposefs(dumpfile: string, out: string): Promise<void> {
  const c = captureIo();
  expect(await main(['mkcomposefs', '--from-file', dumpfile, out], c.io), c.err()).toBe(0);
}

describe('metalayer composefs-info', () => {
  const dir = useTempDir('cli-composefs-info-');

  it('dumps an image so that mkcomposefs rebuilds it byte for byte', async () => {
    const image = join(dir, 'hardlinks.cfs');
    await mkcomposefs(vectorsPath('composefs', '05-hardlinks.dump'), image);
    const c = captureIo();
    expect(await main(['composefs-info', 'dump', image], c.io), c.err()).toBe(0);
    expect(c.text()).toContain('/link1 5000 @100644 3 0 0 0 1700000000.0 /file - 0369a36f');
    expect(c.text()).toContain('/ 4096 40755 3 0 0 0 1700000000.0 - - -\n');
    const redump = join(dir, 'redump.dump');
    writeFileSync(redump, c.text());
    const again = join(dir, 'again.cfs');
    await mkcomposefs(redump, again);
    expect(Buffer.compare(readFileSync(again), readFileSync(image))).toBe(0);
  });

  it('dumps as JSON', async () => {
    const image = join(dir, 'xattrs.cfs');
    await mkcomposefs(vectorsPath('composefs', '08-xattrs.dump'), image);
    const c = captureIo();
    expect(await main(['composefs-info', 'dump', '--json', image], c.io)).toBe(0);
    const json = JSON.parse(c.text());
    expect(json).toMatchObject({ composefsVersion: 0, hasAcl: true });
    const d = json.entries.find((e: { path: string }) => e.path === '/d');
    expect(d.xattrs['user.key\\x3dwith\\x3dequals']).toBe(Buffer.from('val=ue with spaces\nand newline').toString('hex'));
  });

  it('rejects a corrupt image naming the offset, with exit 3', async () => {
    const image = join(dir, 'corrupt.cfs');
    await mkcomposefs(vectorsPath('composefs', '01-empty-root.dump'), image);
    const bytes = readFileSync(image);
    bytes.writeUInt32LE(0, 1024);
    writeFileSync(image, bytes);
    const c = captureIo();
    expect(await main(['composefs-info', 'dump', image], c.io)).toBe(3);
    expect(c.err()).toContain('EROFS image offset 1024 (superblock.magic)');
  });

  it('measures files like fsverity digest', async () => {
    const a = vectorsPath('fsverity', 'files', 'prng-4097');
    const b = vectorsPath('fsverity', 'files', 'hello-world');
    const c = captureIo();
    expect(await main(['composefs-info', 'measure-file', a, b], c.io)).toBe(0);
    const lines = c.text().trim().split('\n');
    expect(lines).toEqual([
      '986a459db94bc26b440d1a134a5a84e8f4e6e09e3c9d2d41c1661b83a1731184',
      '1e2eaa4202d750a41174ee454970b92c1bc2f925b1e35076d8c7d5f56362ba64',
    ]);
    const j = captureIo();
    expect(await main(['composefs-info', 'measure-file', '--digest-algo', 'sha512', '--json', b], j.io)).toBe(0);
    const [result] = JSON.parse(j.text());
    expect(result).toMatchObject({ file: b, size: 11, algorithm: 'sha512' });
    if (haveTools('fsverity')) {
      expect(result.digest).toBe(run('fsverity', ['digest', '--compact', '--hash-alg=sha512', b]).stdout.toString().trim());
    }
    const missing = captureIo();
    expect(await main(['composefs-info', 'measure-file', join(dir, 'nope')], missing.io)).toBe(4);
  });
});
