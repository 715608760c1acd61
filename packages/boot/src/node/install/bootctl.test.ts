import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { haveBootFixtures, kernelPath, kernelRelease, makeCpio, stubPath, TEST_OS_RELEASE } from '../../test-support/fixtures';
import { buildUki } from '../../uki/build-uki';
import { openFileSource } from '../file-source';
import { installKernel } from './install-kernel';

const isRoot = process.getuid?.() === 0;
const MACHINE_ID = 'fedcba9876543210fedcba9876543210';
const DIGEST = { algorithm: 'sha512', hex: '5e'.repeat(64) } as const;

/** `bootctl list` output as one record per entry (key → value). */
function parseBootctlList(text: string): Record<string, string>[] {
  return text
    .split(/\n\s*\n/)
    .map((block) => Object.fromEntries([...block.matchAll(/^\s*([a-z-]+): (.*)$/gm)].map((m) => [m[1]!, m[2]!])))
    .filter((r) => r.type !== undefined);
}

// bootctl insists that --esp-path is a mount point; a bind mount of the directory onto itself
// satisfies it (boot-specs.md appendix). That needs root, which CI has.
describe.skipIf(!isRoot || !haveBootFixtures() || !haveTools('bootctl', 'mount', 'umount'))(
  'bootctl lists what install-kernel wrote',
  async () => {
    const dir = useTempDir('metalayer-bootctl-');

    it('shows the Type #1 and Type #2 entries with title, version and options', async () => {
      const esp = join(dir, 'esp');
      const root = join(dir, 'root');
      mkdirSync(esp);
      mkdirSync(join(root, 'etc'), { recursive: true });
      writeFileSync(join(root, 'etc/machine-id'), `${MACHINE_ID}\n`);
      const kver = kernelRelease() || '6.12.95+deb12-amd64';
      const ukiCmdline = `console=ttyS0 composefs.digest=v1-sha512-12:${DIGEST.hex} rw`;
      const stub = await openFileSource(stubPath);
      const linux = await openFileSource(kernelPath);
      try {
        const built = await buildUki({
          stub,
          linux,
          initrds: [await makeCpio({ init: 'x' })],
          cmdline: ukiCmdline,
          osRelease: TEST_OS_RELEASE,
        });
        await installKernel({ kind: 'uki', uki: built.source }, { root, bootRoot: esp, expectedDigest: DIGEST });
      } finally {
        await stub.close();
        await linux.close();
      }
      const blsOptions = `quiet composefs=${DIGEST.hex}`;
      await installKernel(
        {
          kind: 'bls',
          kernel: { path: kernelPath },
          initrds: [{ name: 'initrd.img', data: await makeCpio({ init: 'y' }) }],
          options: blsOptions,
          osRelease: TEST_OS_RELEASE,
          kernelVersion: '6.1.0-bls',
        },
        { root, bootRoot: esp, expectedDigest: DIGEST, tries: 3 },
      );

      run('mount', ['--bind', esp, esp]);
      let out: string;
      try {
        out = run('bootctl', [`--esp-path=${esp}`, '--no-variables', 'list'], {
          env: { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: '1', SYSTEMD_PAGER: 'cat' },
        }).stdout.toString();
      } finally {
        run('umount', [esp]);
      }
      const entries = parseBootctlList(out);
      const type2 = entries.find((e) => e.type!.includes('Type #2'));
      const type1 = entries.find((e) => e.type!.includes('Type #1'));
      expect(type2, out).toBeDefined();
      expect(type1, out).toBeDefined();
      // Type #2: title and version from .osrel (PRETTY_NAME, VERSION_ID), options = .cmdline.
      expect(type2!.title).toMatch(/^Metalayer Test OS 42 \(composefs\) \(42\)/);
      expect(type2!.version).toBe('42');
      expect(type2!.options).toBe(ukiCmdline);
      expect(type2!.id).toBe(`${MACHINE_ID}-${kver}.efi`);
      // Type #1: our entry, boot counting visible, options with the pinned machine ID.
      expect(type1!.title).toMatch(/^Metalayer Test OS 42 \(composefs\) \(6\.1\.0-bls\)/);
      expect(type1!.version).toBe('6.1.0-bls');
      expect(type1!.options).toBe(`${blsOptions} systemd.machine_id=${MACHINE_ID}`);
      expect(type1!.tries).toBe('3 left');
      expect(type1!.linux).toBe(`/${MACHINE_ID}/6.1.0-bls/linux`);
      expect(type1!.initrd).toBe(`/${MACHINE_ID}/6.1.0-bls/initrd.img`);
      expect(type1!['sort-key']).toBe('mltest-image');
    });
  },
);
