import { bytesSource, UnsafePathError } from '@metalayer/boot';
import { InvalidArgumentError, type BlsPayload, type BootPayload } from '@metalayer/core';
import { describe, expect, it } from 'vitest';
import { kernelLayerLayout } from './kernel-layer-layout';

const data = bytesSource(new Uint8Array([1, 2, 3]));
const uki = (name: string): BootPayload => ({ kind: 'uki', uki: { name, data } });
const bls = (over: Partial<BlsPayload> = {}): BlsPayload => ({
  kind: 'bls',
  kernel: { name: 'vmlinuz', data },
  initrds: [{ name: 'initrd', data }],
  options: 'rw',
  kernelVersion: '6.1.0',
  osRelease: 'ID=fedora\nIMAGE_ID=myimage\n',
  ...over,
});

describe('kernelLayerLayout', () => {
  it('puts a UKI in /boot/EFI/Linux under its own name', async () => {
    expect(await kernelLayerLayout(uki('os-6.1.efi'))).toEqual({
      kind: 'uki',
      ukiPath: 'boot/EFI/Linux/os-6.1.efi',
      directories: ['boot', 'boot/EFI', 'boot/EFI/Linux'],
    });
  });

  it('lays a BLS set out like kernel-install, with IMAGE_ID before ID as the token', async () => {
    expect(await kernelLayerLayout(bls())).toEqual({
      kind: 'bls',
      token: 'myimage',
      kernelVersion: '6.1.0',
      entryPath: 'boot/loader/entries/myimage-6.1.0.conf',
      kernelPath: 'boot/myimage/6.1.0/vmlinuz',
      initrdPaths: ['boot/myimage/6.1.0/initrd'],
      directories: ['boot', 'boot/loader', 'boot/loader/entries', 'boot/myimage', 'boot/myimage/6.1.0'],
    });
    expect((await kernelLayerLayout(bls({ osRelease: 'ID=fedora\n' }))).kind === 'bls').toBe(true);
    expect(await kernelLayerLayout(bls(), { entryToken: 'tok' })).toMatchObject({
      token: 'tok',
      entryPath: 'boot/loader/entries/tok-6.1.0.conf',
    });
  });

  it.each(['../x.efi', 'a/b.efi', '.wh.x.efi', '.hidden.efi', 'sp ace.efi', ''])(
    'refuses the unsafe UKI name %j with UnsafePathError',
    async (name) => {
      const error = await kernelLayerLayout(uki(name)).catch((e: unknown) => e);
      expect(UnsafePathError.isInstance(error), String(error)).toBe(true);
    },
  );

  it.each(['vmlinuz', 'x.EFI', 'x.addon.efi'])('refuses the UKI name %j that loaders would not take for a UKI', async (name) => {
    const error = await kernelLayerLayout(uki(name)).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
  });

  it.each<[string, Partial<BlsPayload>]>([
    ['an initrd named .wh.initrd', { initrds: [{ name: '.wh.initrd', data }] }],
    ['an initrd named ..', { initrds: [{ name: '..', data }] }],
    ['a kernel named a/b', { kernel: { name: 'a/b', data } }],
    ['a kernel version with a slash', { kernelVersion: '6.1/../x' }],
  ])('refuses %s with UnsafePathError', async (_, over) => {
    const error = await kernelLayerLayout(bls(over)).catch((e: unknown) => e);
    expect(UnsafePathError.isInstance(error), String(error)).toBe(true);
  });

  it.each<[string, Partial<BlsPayload>, { entryToken?: string }]>([
    ['two files named alike (FAT is case-insensitive)', { initrds: [{ name: 'VMLINUZ', data }] }, {}],
    ['no token source', { osRelease: 'NAME=x\n' }, {}],
    ['the token "loader"', {}, { entryToken: 'loader' }],
    ['no kernel version and a kernel without a bzImage header', { kernelVersion: undefined }, {}],
  ])('refuses %s with InvalidArgumentError', async (_, over, options) => {
    const payload = bls(over);
    if ('kernelVersion' in over && over.kernelVersion === undefined) delete (payload as { kernelVersion?: string }).kernelVersion;
    const error = await kernelLayerLayout(payload, options).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
  });
});
