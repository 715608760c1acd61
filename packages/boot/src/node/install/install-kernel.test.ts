import { mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DigestMismatchError, InvalidArgumentError, MetalayerError } from '@metalayer/core';
import { prngBytes, useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAllBytes } from '../../bytes/byte-source';
import { BootLayoutError, PeFormatError, UnsafePathError } from '../../errors/index';
import { haveBootFixtures, kernelPath, kernelRelease, makeCpio, sameBytes, stubPath, TEST_OS_RELEASE } from '../../test-support/fixtures';
import { snapshotTree } from '../../test-support/tree-snapshot';
import { buildUki } from '../../uki/build-uki';
import { openFileSource } from '../file-source';
import { executeInstall } from './execute-install';
import { installKernel } from './install-kernel';
import type { InstallPayload, PlanInstallOptions } from './install-types';
import { planInstall } from './plan-install';

const MACHINE_ID = '0123456789abcdef0123456789abcdef';
const DIGEST = { algorithm: 'sha256', hex: 'c0ffee'.padEnd(64, '0') } as const;
const OTHER = { algorithm: 'sha256', hex: 'bad'.padEnd(64, '1') } as const;
const karg = (d: { hex: string }) => `composefs.digest=v1-sha256-12:${d.hex}`;

describe.skipIf(!haveBootFixtures())('installKernel', async () => {
  const tmp = useTempDir('metalayer-install-');
  let n = 0;
  const kver = kernelRelease() || '6.12.95+deb12-amd64';
  let uki: Uint8Array;
  let ukiOther: Uint8Array;
  let ukiNoDigest: Uint8Array;
  const initrd = await makeCpio({ init: '#!/bin/sh\n' });

  /** A fresh root (with machine-id and os-release) and an empty $BOOT. */
  const fresh = () => {
    const dir = join(tmp, `case-${n++}`);
    const root = join(dir, 'root');
    const boot = join(dir, 'boot');
    mkdirSync(join(root, 'etc'), { recursive: true });
    mkdirSync(boot);
    writeFileSync(join(root, 'etc', 'machine-id'), `${MACHINE_ID}\n`);
    writeFileSync(join(root, 'etc', 'os-release'), 'ID=hostos\nPRETTY_NAME="Host OS"\n');
    return { dir, root, boot };
  };
  const opts = (c: { root: string; boot: string }, extra: Partial<PlanInstallOptions> = {}): PlanInstallOptions => ({
    root: c.root,
    bootRoot: c.boot,
    expectedDigest: DIGEST,
    ...extra,
  });
  const blsPayload = (options = `console=ttyS0 ${karg(DIGEST)} rw`): InstallPayload => ({
    kind: 'bls',
    kernel: { path: kernelPath },
    initrds: [{ name: 'initrd.img', data: initrd }],
    options,
    osRelease: TEST_OS_RELEASE,
  });

  beforeAll(async () => {
    const make = async (cmdline: string) => {
      const stub = await openFileSource(stubPath);
      const linux = await openFileSource(kernelPath);
      try {
        return await readAllBytes((await buildUki({ stub, linux, initrds: [initrd], cmdline, osRelease: TEST_OS_RELEASE })).source);
      } finally {
        await stub.close();
        await linux.close();
      }
    };
    uki = await make(`console=ttyS0 ${karg(DIGEST)} rw`);
    ukiOther = await make(`console=ttyS0 ${karg(OTHER)} rw`);
    ukiNoDigest = await make('console=ttyS0 rw');
  });

  it('installs a UKI as EFI/Linux/<machine-id>-<kver>.efi, byte for byte, mode 0644', async () => {
    const c = fresh();
    const result = await installKernel({ kind: 'uki', uki }, opts(c));
    const name = `EFI/Linux/${MACHINE_ID}-${kver}.efi`;
    expect(result.written).toEqual([name]);
    expect(result.plan).toMatchObject({
      layout: 'uki',
      entryToken: MACHINE_ID,
      entryTokenSource: 'machine-id',
      kernelVersion: kver,
      entryPath: name,
      title: 'Metalayer Test OS 42 (composefs)',
      upToDate: false,
    });
    expect(result.plan.composefs).toEqual([{ version: 'v1', algorithm: 'sha256', hex: DIGEST.hex, insecure: false, form: 'digest' }]);
    expect(sameBytes(readFileSync(join(c.boot, name)), uki)).toBe(true);
    expect(statSync(join(c.boot, name)).mode & 0o777).toBe(0o644);
    // Nothing else: no temp files, no BLS files.
    expect((await snapshotTree(c.boot)).map((e) => e.path)).toEqual(['', 'EFI', 'EFI/Linux', name]);
  });

  it('re-running is a no-op that rewrites nothing', async () => {
    const c = fresh();
    await installKernel(blsPayload(), opts(c));
    await installKernel({ kind: 'uki', uki }, opts(c));
    const before = await snapshotTree(c.boot, { identity: true });
    let called = 0;
    const again = await installKernel(blsPayload(), { ...opts(c), beforeEntry: () => void called++ });
    const againUki = await installKernel({ kind: 'uki', uki }, { ...opts(c), beforeEntry: () => void called++ });
    expect([again.plan.upToDate, againUki.plan.upToDate]).toEqual([true, true]);
    expect([...again.written, ...againUki.written, ...again.removed]).toEqual([]);
    expect(called).toBe(2);
    expect(await snapshotTree(c.boot, { identity: true })).toEqual(before);
  });

  it('installs kernel + initrd as a Type #1 entry like 90-loaderentry.install', async () => {
    const c = fresh();
    const result = await installKernel(blsPayload(), opts(c));
    const dir = `${MACHINE_ID}/${kver}`;
    const entry = `loader/entries/${MACHINE_ID}-${kver}.conf`;
    expect(result.plan.changes.map((ch) => [ch.action, ch.path])).toEqual([
      ['mkdir', MACHINE_ID],
      ['mkdir', dir],
      ['write', `${dir}/linux`],
      ['write', `${dir}/initrd.img`],
      ['mkdir', 'loader'],
      ['write', 'loader/entries.srel'],
      ['mkdir', 'loader/entries'],
      ['write', entry],
    ]);
    expect(result.written.at(-1)).toBe(entry);
    expect(readFileSync(join(c.boot, entry), 'utf8')).toBe(
      [
        '# Boot Loader Specification type#1 entry',
        '# File created by metalayer install-kernel',
        'title      Metalayer Test OS 42 (composefs)',
        `version    ${kver}`,
        `machine-id ${MACHINE_ID}`,
        'sort-key   mltest-image',
        `options    console=ttyS0 ${karg(DIGEST)} rw systemd.machine_id=${MACHINE_ID}`,
        `linux      /${dir}/linux`,
        `initrd     /${dir}/initrd.img`,
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(c.boot, 'loader/entries.srel'), 'utf8')).toBe('type1\n');
    expect(sameBytes(readFileSync(join(c.boot, dir, 'linux')), readFileSync(kernelPath))).toBe(true);
    expect(new Uint8Array(readFileSync(join(c.boot, dir, 'initrd.img')))).toEqual(initrd);
  });

  it('keeps previous entries as fallback and names them by entry token', async () => {
    const c = fresh();
    await installKernel({ kind: 'uki', uki, kernelVersion: '6.1.0-old' }, opts(c, { entryToken: 'literal:myos' }));
    await installKernel({ kind: 'uki', uki }, opts(c, { entryToken: 'myos' }));
    await installKernel({ ...blsPayload(), kernelVersion: '6.1.0-old' } as InstallPayload, opts(c, { entryToken: 'myos' }));
    await installKernel(blsPayload(), opts(c, { entryToken: 'myos' }));
    const paths = (await snapshotTree(c.boot))
      .filter((e) => e.type === 'file')
      .map((e) => e.path)
      .sort();
    expect(paths).toEqual(
      [
        'EFI/Linux/myos-6.1.0-old.efi',
        `EFI/Linux/myos-${kver}.efi`,
        'loader/entries.srel',
        'loader/entries/myos-6.1.0-old.conf',
        `loader/entries/myos-${kver}.conf`,
        'myos/6.1.0-old/initrd.img',
        'myos/6.1.0-old/linux',
        `myos/${kver}/initrd.img`,
        `myos/${kver}/linux`,
      ].sort(),
    );
    // Token is not the machine ID: no machine-id line, no systemd.machine_id=.
    expect(readFileSync(join(c.boot, `loader/entries/myos-${kver}.conf`), 'utf8')).not.toMatch(/machine.id/);
  });

  it('adds +tries, keeps an identical entry whatever its counter, and replaces stale variants', async () => {
    const c = fresh();
    const id = `${MACHINE_ID}-${kver}`;
    const r1 = await installKernel({ kind: 'uki', uki: ukiOther }, opts(c, { tries: 3, expectedDigest: OTHER }));
    expect(r1.written).toEqual([`EFI/Linux/${id}+3.efi`]);
    // The loader counted a boot attempt: +3 -> +2-1. Re-installing the same UKI leaves it alone.
    const counted = join(c.boot, `EFI/Linux/${id}+2-1.efi`);
    writeFileSync(counted, readFileSync(join(c.boot, `EFI/Linux/${id}+3.efi`)));
    rmSync(join(c.boot, `EFI/Linux/${id}+3.efi`));
    const r2 = await installKernel({ kind: 'uki', uki: ukiOther }, opts(c, { tries: 3, expectedDigest: OTHER }));
    expect(r2.plan.upToDate).toBe(true);
    expect(r2.plan.entryPath).toBe(`EFI/Linux/${id}+2-1.efi`);
    // A different UKI for the same kernel version: written with a fresh counter, stale ones removed.
    writeFileSync(join(c.boot, `EFI/Linux/${id}.efi`), 'old blessed entry');
    const r3 = await installKernel({ kind: 'uki', uki }, opts(c, { tries: 5 }));
    expect(r3.written).toEqual([`EFI/Linux/${id}+5.efi`]);
    expect([...r3.removed].sort()).toEqual([`EFI/Linux/${id}+2-1.efi`, `EFI/Linux/${id}.efi`]);
    // /etc/kernel/tries is read when no tries option is given.
    mkdirSync(join(c.root, 'etc/kernel'));
    writeFileSync(join(c.root, 'etc/kernel/tries'), '7\n');
    const r4 = await installKernel(blsPayload(), opts(c));
    expect(r4.plan.entryPath).toBe(`loader/entries/${id}+7.conf`);
    writeFileSync(join(c.root, 'etc/kernel/tries'), 'seven\n');
    await expect(planInstall(blsPayload(), opts(c))).rejects.toSatisfy(BootLayoutError.isInstance);
  });

  it('calls beforeEntry before writing anything; a failing hook leaves $BOOT untouched', async () => {
    const c = fresh();
    const empty = await snapshotTree(c.boot);
    let seen: unknown;
    await installKernel(blsPayload(), { ...opts(c), beforeEntry: async () => void (seen = await snapshotTree(c.boot)) });
    expect(seen).toEqual(empty);
    const before = await snapshotTree(c.boot);
    await expect(
      installKernel({ kind: 'uki', uki }, { ...opts(c), beforeEntry: () => Promise.reject(new Error('deploy failed')) }),
    ).rejects.toThrow('deploy failed');
    expect(await snapshotTree(c.boot)).toEqual(before);
  });

  it('accepts a one-shot stream and a plan as dry run (inspect --json)', async () => {
    const c = fresh();
    async function* chunks() {
      for (let i = 0; i < uki.length; i += 100_000) yield uki.subarray(i, i + 100_000);
    }
    const plan = await planInstall({ kind: 'uki', uki: chunks() }, opts(c));
    const json = JSON.parse(JSON.stringify(plan));
    expect(json).toMatchObject({ layout: 'uki', bootRoot: c.boot, upToDate: false, expectedDigests: [`sha256:${DIGEST.hex}`] });
    expect(json.changes.at(-1)).toMatchObject({ action: 'write', role: 'uki', size: uki.length, replaces: false });
    expect(await snapshotTree(c.boot)).toEqual(await snapshotTree(fresh().boot));
    await executeInstall(plan);
    expect(sameBytes(readFileSync(join(c.boot, plan.entryPath)), uki)).toBe(true);
    await expect(executeInstall(plan)).rejects.toSatisfy(InvalidArgumentError.isInstance);
  });

  describe('refuses hostile input and leaves $BOOT byte-identical', () => {
    const refuses = async (
      name: string,
      payload: () => InstallPayload,
      extra: (c: ReturnType<typeof fresh>) => Partial<PlanInstallOptions>,
      check: (e: unknown) => boolean,
      prepare?: (c: ReturnType<typeof fresh>) => void,
    ) => {
      const c = fresh();
      await installKernel({ kind: 'uki', uki, kernelVersion: '6.0-previous' }, opts(c));
      prepare?.(c);
      const outside = await snapshotTree(c.dir);
      const error = await installKernel(payload(), { ...opts(c), ...extra(c) }).catch((e: unknown) => e);
      expect(check(error), `${name}: ${String(error)}`).toBe(true);
      expect(MetalayerError.isInstance(error)).toBe(true);
      expect(await snapshotTree(c.dir)).toEqual(outside);
      return error as Error;
    };

    it('a UKI whose digest is wrong, missing, or insecure', async () => {
      const wrong = await refuses(
        'wrong digest',
        () => ({ kind: 'uki', uki: ukiOther }),
        () => ({}),
        DigestMismatchError.isInstance,
      );
      expect(wrong.message).toContain(OTHER.hex);
      expect(wrong.message).toContain(DIGEST.hex);
      await refuses(
        'no digest',
        () => ({ kind: 'uki', uki: ukiNoDigest }),
        () => ({}),
        DigestMismatchError.isInstance,
      );
      await refuses(
        'bls wrong digest',
        () => blsPayload(`quiet ${karg(OTHER)}`),
        () => ({}),
        DigestMismatchError.isInstance,
      );
      await refuses(
        'second, different digest',
        () => blsPayload(`${karg(DIGEST)} composefs=${OTHER.hex}`),
        () => ({}),
        DigestMismatchError.isInstance,
      );
      await refuses(
        'insecure',
        () => blsPayload(`composefs=?${DIGEST.hex}`),
        () => ({}),
        DigestMismatchError.isInstance,
      );
      const c = fresh();
      await expect(installKernel(blsPayload(`composefs=?${DIGEST.hex}`), opts(c, { allowInsecure: true }))).resolves.toBeDefined();
    });

    it('a truncated or corrupt PE', async () => {
      await refuses(
        'truncated',
        () => ({ kind: 'uki', uki: uki.subarray(0, uki.length - 4096) }),
        () => ({}),
        PeFormatError.isInstance,
      );
      await refuses(
        'headers only',
        () => ({ kind: 'uki', uki: uki.subarray(0, 300) }),
        () => ({}),
        PeFormatError.isInstance,
      );
      await refuses(
        'not a PE',
        () => ({ kind: 'uki', uki: prngBytes('junk', 5000) }),
        () => ({}),
        PeFormatError.isInstance,
      );
      const stubOnly = readFileSync(stubPath);
      await refuses(
        'no .linux',
        () => ({ kind: 'uki', uki: stubOnly }),
        () => ({}),
        PeFormatError.isInstance,
      );
    });

    it('symlinks inside $BOOT, even pointing inside', async () => {
      const outsideDir = join(tmp, `outside-${n}`);
      mkdirSync(outsideDir);
      await refuses(
        'EFI/Linux symlink',
        () => ({ kind: 'uki', uki, kernelVersion: '6.9' }),
        () => ({}),
        UnsafePathError.isInstance,
        (c) => {
          renameSync(join(c.boot, 'EFI/Linux'), join(c.boot, 'EFI/Linux.real'));
          symlinkSync(outsideDir, join(c.boot, 'EFI/Linux'));
        },
      );
      await refuses(
        'loader symlink',
        () => blsPayload(),
        () => ({}),
        UnsafePathError.isInstance,
        (c) => symlinkSync(outsideDir, join(c.boot, 'loader')),
      );
      await refuses(
        'entry dir symlink',
        () => blsPayload(),
        () => ({}),
        UnsafePathError.isInstance,
        (c) => symlinkSync('/etc', join(c.boot, MACHINE_ID)),
      );
      await refuses(
        'entry file symlink',
        () => ({ kind: 'uki', uki }),
        () => ({}),
        UnsafePathError.isInstance,
        (c) => symlinkSync('/etc/passwd', join(c.boot, `EFI/Linux/${MACHINE_ID}-${kver}.efi`)),
      );
    });

    it('names with "..", "/" or characters outside the BLS set', async () => {
      await refuses(
        'token ..',
        () => ({ kind: 'uki', uki }),
        () => ({ entryToken: '..' }),
        UnsafePathError.isInstance,
      );
      await refuses(
        'token /',
        () => ({ kind: 'uki', uki }),
        () => ({ entryToken: 'literal:../../etc' }),
        UnsafePathError.isInstance,
      );
      await refuses(
        'kver ..',
        () => ({ kind: 'uki', uki, kernelVersion: '../../x' }),
        () => ({}),
        UnsafePathError.isInstance,
      );
      await refuses(
        'kver absolute',
        () => ({ kind: 'uki', uki, kernelVersion: '/etc/x' }),
        () => ({}),
        UnsafePathError.isInstance,
      );
      await refuses(
        'kver space',
        () => ({ kind: 'uki', uki, kernelVersion: '6.1 evil' }),
        () => ({}),
        UnsafePathError.isInstance,
      );
      await refuses(
        'initrd ..',
        () => ({ ...blsPayload(), initrds: [{ name: '../../initrd', data: initrd }] }) as InstallPayload,
        () => ({}),
        UnsafePathError.isInstance,
      );
      await refuses(
        'initrd twice',
        () =>
          ({
            ...blsPayload(),
            initrds: [
              { name: 'a', data: initrd },
              { name: 'a', data: initrd },
            ],
          }) as InstallPayload,
        () => ({}),
        InvalidArgumentError.isInstance,
      );
      await refuses(
        'options newline',
        () => blsPayload(`${karg(DIGEST)}\nlinux /evil`),
        () => ({}),
        InvalidArgumentError.isInstance,
      );
    });

    it('a foreign loader/entries.srel, a file where a directory goes, a layout that does not fit', async () => {
      const foreign = await refuses(
        'srel',
        () => blsPayload(),
        () => ({}),
        BootLayoutError.isInstance,
        (c) => {
          mkdirSync(join(c.boot, 'loader'));
          writeFileSync(join(c.boot, 'loader/entries.srel'), 'other-spec\n');
        },
      );
      expect(foreign.message).toContain('other-spec');
      await refuses(
        'file for dir',
        () => blsPayload(),
        () => ({}),
        BootLayoutError.isInstance,
        (c) => writeFileSync(join(c.boot, MACHINE_ID), 'x'),
      );
      await refuses(
        'layout',
        () => ({ kind: 'uki', uki }),
        () => ({ layout: 'bls' }),
        InvalidArgumentError.isInstance,
      );
    });

    it('a payload file that changes between plan and execute', async () => {
      const c = fresh();
      const file = join(c.dir, 'uki.efi');
      writeFileSync(file, uki);
      const plan = await planInstall({ kind: 'uki', uki: { path: file } }, opts(c));
      const tampered = new Uint8Array(uki);
      tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0xff;
      writeFileSync(file, tampered);
      const before = await snapshotTree(c.boot);
      await expect(executeInstall(plan)).rejects.toSatisfy(DigestMismatchError.isInstance);
      expect(await snapshotTree(c.boot)).toEqual(before);
    });
  });
});
