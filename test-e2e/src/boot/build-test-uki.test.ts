import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { haveTools, prngBytes, useTempDir } from '@metalayer/test-utils';
import { haveKernel } from '../preflight';
import { requireKernel } from '../kernel/kernel';
import { FIRMWARE } from '../qemu/firmware';
import { runTool } from '../tools';
import { buildTestUki } from './build-test-uki';

// vitest's deep equality is very slow on megabyte buffers: compare hashes.
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(!haveTools('objdump', 'objcopy') || !existsSync(FIRMWARE.stub) || !haveKernel())('buildTestUki', () => {
  const tmp = useTempDir('metalayer-uki-');

  it('embeds the e2e kernel, initramfs and command line where objdump/objcopy find them', async () => {
    const initrd = join(tmp, 'initrd');
    writeFileSync(initrd, prngBytes('initrd', 100_003));
    const kernel = requireKernel().vmlinuz;
    const uki = await buildTestUki({
      out: join(tmp, 'uki.efi'),
      kernel,
      initrd,
      cmdline: 'console=ttyS0 composefs=ab',
      osRelease: 'ID=t\n',
    });
    const headers = runTool('objdump', ['-h', uki.path]).stdout.toString();
    for (const name of ['.osrel', '.cmdline', '.initrd', '.linux']) expect(headers).toContain(` ${name} `);
    for (const [section, expected] of [
      ['.cmdline', Buffer.from('console=ttyS0 composefs=ab')],
      ['.initrd', readFileSync(initrd)],
      ['.linux', readFileSync(kernel)],
    ] as const) {
      const out = join(tmp, `dump${section}`);
      runTool('objcopy', ['-O', 'binary', '--only-section', section, uki.path, out]);
      // objcopy dumps VirtualSize bytes: .linux may be zero-padded to the kernel's SizeOfImage
      expect(sha256(readFileSync(out).subarray(0, expected.length)), section).toBe(sha256(expected));
    }
  });
});
