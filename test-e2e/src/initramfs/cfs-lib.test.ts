import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTools, run } from '@metalayer/test-utils';
import { assetsDir } from '../paths';
import { BUSYBOX_STATIC } from '../tree/busybox';

const H256 = 'a'.repeat(62) + '0f';
const H512 = '1'.repeat(126) + 'ff';

/** Runs cfs_parse_cmdline in the same busybox sh the initramfs uses. */
function parse(cmdline: string): { code: number; out: string } {
  const script = `. ${join(assetsDir, 'cfs-lib.sh')}; cfs_parse_cmdline "$1"`;
  const r = run(BUSYBOX_STATIC, ['sh', '-c', script, 'sh', cmdline], { allowFailure: true });
  return { code: r.code, out: r.stdout.toString().trim() };
}

describe.skipIf(!haveTools('busybox'))('cfs_parse_cmdline (initramfs composefs karg parser)', () => {
  it('reads the legacy composefs=<hex> form, sha256 or sha512 by length', () => {
    expect(parse(`console=ttyS0 composefs=${H256} quiet`)).toEqual({ code: 0, out: `sha256 ${H256} 0 v2` });
    expect(parse(`composefs=${H512}`)).toEqual({ code: 0, out: `sha512 ${H512} 0 v2` });
  });

  it('reads composefs.digest=v1-sha256-12 and v1-sha512-12, lower-casing hex', () => {
    expect(parse(`composefs.digest=v1-sha256-12:${H256.toUpperCase()}`).out).toBe(`sha256 ${H256} 0 v1`);
    expect(parse(`composefs.digest=v2-sha512-12:${H512}`).out).toBe(`sha512 ${H512} 0 v2`);
  });

  it('marks the ? form insecure and does not glob it', () => {
    expect(parse(`composefs=?${H256}`).out).toBe(`sha256 ${H256} 1 v2`);
    expect(parse(`composefs.digest=?v1-sha256-12:${H256}`).out).toBe(`sha256 ${H256} 1 v1`);
  });

  it('splits by word, so systemd-boot’s initrd=\\path prefix and lookalike words do not matter', () => {
    const cmdline = `initrd=\\metalayer\\6.12\\initrd console=ttyS0 xcomposefs=${H512} composefs=${H256} bls=type1`;
    expect(parse(cmdline).out).toBe(`sha256 ${H256} 0 v2`);
  });

  it('tries every composefs.digest= token before composefs= tokens, each in order', () => {
    const cmdline = `composefs=${H512} composefs.digest=v1-sha256-12:${H256} composefs.digest=v1-sha512-12:${H512}`;
    expect(parse(cmdline).out.split('\n')).toEqual([`sha256 ${H256} 0 v1`, `sha512 ${H512} 0 v1`, `sha512 ${H512} 0 v2`]);
  });

  it('honours kernel quoting: a quoted blank does not split a word', () => {
    expect(parse(`foo="a composefs=${H512}" composefs=${H256}`).out).toBe(`sha256 ${H256} 0 v2`);
  });

  it('prints nothing when there is no composefs token', () => {
    expect(parse('console=ttyS0 root=/dev/vda')).toEqual({ code: 0, out: '' });
  });

  it.each([
    [`composefs.digest=v3-sha256-12:${H256}`, /unsupported format version 'v3'/],
    [`composefs.digest=v1-sha256-8:${H256}`, /unsupported block size/],
    [`composefs.digest=v1-md5-12:${H256}`, /unsupported hash 'md5'/],
    [`composefs.digest=v1-sha256-12${H256}`, /expected <version>-<hash>-<lg>:<hex>/],
    [`composefs.digest=v1-sha512-12:${H256}`, /has 64 hex digits, expected 128/],
    [`composefs=${H256.slice(1)}`, /expected 64 \(sha256\) or 128 \(sha512\) hex digits, got 63/],
    [`composefs=${H256.slice(2)}zz`, /invalid hex digest/],
  ])('rejects %s', (cmdline, reason) => {
    const r = parse(`console=ttyS0 ${cmdline}`);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(reason);
  });
});
