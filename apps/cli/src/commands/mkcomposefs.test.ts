import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTools, run, useTempDir, vectorsPath } from '@metalayer/test-utils';
import { main } from '../cli';
import { captureIo } from '../test-support/capture-io';

const expected = new Map(
  readFileSync(vectorsPath('composefs', 'expected.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .map(([vector, args, , fsverity, sha256]) => [`${vector} ${args}`, { fsverity: fsverity!, sha256: sha256! }]),
);
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const dump = (name: string) => vectorsPath('composefs', `${name}.dump`);

describe('metalayer mkcomposefs', () => {
  const dir = useTempDir('cli-mkcomposefs-');

  it('writes the C image and prints its digest', async () => {
    const out = join(dir, 'xattrs.cfs');
    const c = captureIo();
    expect(await main(['mkcomposefs', '--print-digest', '--from-file', dump('08-xattrs'), out], c.io), c.err()).toBe(0);
    const want = expected.get('08-xattrs (default)')!;
    expect(sha256(readFileSync(out))).toBe(want.sha256);
    expect(c.text()).toBe(`${want.fsverity}\n`);
  });

  it.each([
    ['01-empty-root', ['--min-version', '1', '--max-version', '1'], '--min-version=1 --max-version=1'],
    ['06-devices-whiteouts', ['--max-version=0'], '--max-version=0'],
    ['02-inline-files', ['--min-version=1'], '--min-version=1'],
  ])('honours version flags (%s %s)', async (vector, flags, args) => {
    const out = join(dir, `${vector}.cfs`);
    const c = captureIo();
    expect(await main(['mkcomposefs', ...flags, '--from-file', dump(vector), out], c.io), c.err()).toBe(0);
    expect(sha256(readFileSync(out))).toBe(expected.get(`${vector} ${args}`)!.sha256);
  });

  it('reads stdin and prints only the digest, in SHA-256 or SHA-512', async () => {
    const input = readFileSync(dump('05-hardlinks'));
    const c = captureIo({ stdin: input });
    expect(await main(['mkcomposefs', '--print-digest-only', '--from-file', '-'], c.io), c.err()).toBe(0);
    expect(c.text()).toBe(`${expected.get('05-hardlinks (default)')!.fsverity}\n`);

    const out = join(dir, 'sha512.cfs');
    const j = captureIo();
    expect(await main(['mkcomposefs', '--digest-algo', 'sha512', '--json', '--from-file', dump('05-hardlinks'), out], j.io)).toBe(0);
    const result = JSON.parse(j.text());
    expect(result).toMatchObject({ image: out, size: 16384, composefsVersion: 0, digestAlgorithm: 'sha512' });
    if (haveTools('fsverity')) {
      expect(result.digest).toBe(run('fsverity', ['digest', '--compact', '--hash-alg=sha512', out]).stdout.toString().trim());
    }
  });

  it('writes the image to stdout when OUT is -, but never to a terminal', async () => {
    const c = captureIo();
    expect(await main(['mkcomposefs', '--from-file', dump('04-symlinks'), '-'], c.io), c.err()).toBe(0);
    expect(sha256(c.out())).toBe(expected.get('04-symlinks (default)')!.sha256);
    const tty = captureIo({ stdoutIsTTY: true });
    expect(await main(['mkcomposefs', '--from-file', dump('04-symlinks'), '-'], tty.io)).toBe(2);
    expect(tty.err()).toContain('stdout is a terminal');
  });

  it('reports malformed dumpfiles with the line and leaves OUT untouched', async () => {
    const bad = join(dir, 'bad.dump');
    writeFileSync(bad, '/ 0 40755 2 0 0 0 0.0 - - -\n/x 0 100644 1 0 0 0 0.0 - - zz\n');
    const out = join(dir, 'kept.cfs');
    writeFileSync(out, 'previous');
    const c = captureIo();
    expect(await main(['mkcomposefs', '--from-file', bad, out], c.io)).toBe(3);
    expect(c.err()).toContain('dumpfile line 2, DIGEST');
    expect(readFileSync(out, 'utf8')).toBe('previous');
  });

  it.each([
    [['mkcomposefs', 'x.dump', 'x.cfs'], 2, '--from-file'],
    [['mkcomposefs', '--from-file', 'x.dump'], 2, 'no output image'],
    [['mkcomposefs', '--print-digest-only', '--from-file', 'x.dump', 'x.cfs'], 2, 'cannot name an output'],
    [['mkcomposefs', '--min-version', '2', '--from-file', 'DUMP', 'x.cfs'], 2, 'must be 0 or 1'],
    [['mkcomposefs', '--max-version', 'one', '--from-file', 'DUMP', 'x.cfs'], 2, 'invalid max-version'],
    [['mkcomposefs', '--digest-algo', 'md5', '--print-digest-only', '--from-file', 'DUMP'], 2, 'sha256 or sha512'],
    [['mkcomposefs', '--from-file', '/nonexistent/x.dump', 'x.cfs'], 4, 'ENOENT'],
  ])('rejects %j with exit %i', async (argv, code, message) => {
    const c = captureIo();
    const args = argv.map((a) => (a === 'DUMP' ? dump('01-empty-root') : a === 'x.cfs' ? join(dir, 'x.cfs') : a));
    expect(await main(args, c.io)).toBe(code);
    expect(c.err()).toContain(message);
  });

  it('has help with examples', async () => {
    const c = captureIo();
    expect(await main(['mkcomposefs', '--help'], c.io)).toBe(0);
    expect(c.text()).toContain('Examples:');
    expect(c.text()).toContain('--print-digest-only');
  });
});
