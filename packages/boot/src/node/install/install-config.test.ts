import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { BootLayoutError, UnsafePathError } from '../../errors/index';
import type { PlanInstallOptions } from './install-types';
import { planInstall } from './plan-install';

const MACHINE_ID = '0123456789abcdef0123456789abcdef';
const DIGEST = { algorithm: 'sha256', hex: 'c0ffee'.padEnd(64, '0') } as const;
const karg = (d: { hex: string }) => `composefs.digest=v1-sha256-12:${d.hex}`;

describe('install-kernel configuration under --root', () => {
  const tmp = useTempDir('metalayer-install-root-');
  let n = 0;
  const root = (files: Record<string, string>, dirs: string[] = []) => {
    const r = mkdtempSync(join(tmp, `r${n++}-`));
    for (const d of dirs) mkdirSync(join(r, d), { recursive: true });
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(join(r, p, '..'), { recursive: true });
      writeFileSync(join(r, p), text);
    }
    return r;
  };
  const fakeUki = () => ({ kind: 'bls', kernel: new Uint8Array(10), options: karg(DIGEST), kernelVersion: '6.1.0' }) as const;
  const plan = (r: string, extra: Partial<PlanInstallOptions> = {}) =>
    planInstall(fakeUki(), { root: r, expectedDigest: DIGEST, ...extra });

  it('finds $BOOT like kernel-install: existing entries, then the fallback /boot', async () => {
    const a = root({ 'etc/machine-id': MACHINE_ID }, ['boot', 'efi/loader/entries']);
    expect(await plan(a)).toMatchObject({ bootRoot: join(a, 'efi'), bootRootSource: 'existing-entries' });
    const b = root({ 'etc/machine-id': MACHINE_ID }, ['boot', 'boot/efi', `boot/efi/${MACHINE_ID}`]);
    expect(await plan(b)).toMatchObject({ bootRoot: join(b, 'boot/efi'), bootRootSource: 'existing-entries' });
    const c = root({ 'etc/machine-id': MACHINE_ID }, ['boot']);
    expect(await plan(c)).toMatchObject({ bootRoot: join(c, 'boot'), bootRootSource: 'fallback' });
    const d = root({ 'etc/machine-id': MACHINE_ID, 'etc/kernel/install.conf': 'BOOT_ROOT=/esp\nlayout=bls\n' }, ['esp', 'boot']);
    expect(await plan(d)).toMatchObject({ bootRoot: join(d, 'esp'), bootRootSource: 'install.conf' });
    const e = root({ 'etc/machine-id': MACHINE_ID });
    await expect(plan(e)).rejects.toSatisfy(BootLayoutError.isInstance);
  });

  it('resolves the entry token: entry-token file, machine-id, IMAGE_ID, ID, explicit kinds', async () => {
    const withAll = { 'etc/machine-id': `${MACHINE_ID.toUpperCase()}\n`, 'usr/lib/os-release': 'ID=debian\nIMAGE_ID=myimage\n' };
    expect((await plan(root({ ...withAll, 'etc/kernel/entry-token': 'tok\n' }, ['boot']))).entryToken).toBe('tok');
    expect((await plan(root(withAll, ['boot']))).entryToken).toBe(MACHINE_ID);
    expect((await plan(root({ ...withAll, 'etc/machine-id': 'uninitialized\n' }, ['boot']))).entryToken).toBe('myimage');
    expect((await plan(root({ 'usr/lib/os-release': 'ID=debian\n' }, ['boot']))).entryToken).toBe('debian');
    expect((await plan(root(withAll, ['boot']), { entryToken: 'os-id' })).entryToken).toBe('debian');
    expect((await plan(root(withAll, ['boot']), { entryToken: 'os-image-id' })).entryToken).toBe('myimage');
    await expect(plan(root({}, ['boot']))).rejects.toSatisfy(BootLayoutError.isInstance);
    await expect(plan(root({ 'usr/lib/os-release': 'ID=debian\n' }, ['boot']), { entryToken: 'machine-id' })).rejects.toSatisfy(
      BootLayoutError.isInstance,
    );
  });

  it('reads os-release through an absolute symlink inside the root, never the host', async () => {
    const r = root({ 'usr/lib/os-release': 'ID=inside\nPRETTY_NAME="Inside"\n' }, ['boot', 'etc']);
    symlinkSync('/usr/lib/os-release', join(r, 'etc/os-release'));
    expect(await plan(r)).toMatchObject({ entryToken: 'inside', title: 'Inside' });
    // "../" cannot climb out of the root: this resolves to <root>/usr/lib/os-release, which does not exist
    // (the host's would give ID=debian), so there is no entry token.
    const escape = root({}, ['boot', 'etc']);
    symlinkSync('../../../../../../../../usr/lib/os-release', join(escape, 'etc/os-release'));
    await expect(plan(escape)).rejects.toSatisfy(BootLayoutError.isInstance);
    const loop = root({}, ['boot', 'etc']);
    symlinkSync('/etc/os-release', join(loop, 'etc/os-release'));
    await expect(plan(loop)).rejects.toSatisfy(UnsafePathError.isInstance);
  });
});
