import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { haveFile, repoRoot } from '@metalayer/test-utils';
import { encodeNewcArchive, type NewcEntry } from '../initrd/newc-archive';

/** The unpacked backports kernel (`vmlinuz`, `version`, `root/lib/modules/...`). */
export const kernelDir = process.env.METALAYER_KERNEL_DIR ?? join(repoRoot, '.cache', 'kernel');
/** The real Debian kernel image. */
export const kernelPath = join(kernelDir, 'vmlinuz');
/** Debian systemd-boot-efi's x86-64 stub. */
export const stubPath = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';

/** Whether the stub and kernel are there (under CI a missing one fails the file). */
export function haveBootFixtures(): boolean {
  return haveFile(stubPath, 'systemd-boot-efi stub') && haveFile(kernelPath, 'backports kernel');
}

/** `uname -r` of the test kernel, from the `version` file the install script writes. */
export function kernelRelease(): string {
  const file = join(kernelDir, 'version');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

/** An os-release of a made-up image. */
export const TEST_OS_RELEASE = [
  'NAME="Metalayer Test OS"',
  'ID=mltest',
  'IMAGE_ID=mltest-image',
  "PRETTY_NAME='Metalayer Test OS 42 (composefs)'",
  'VERSION_ID=42',
  '',
].join('\n');

/** A small newc cpio archive (what an initrd is) with the given regular files. */
export async function makeCpio(files: Record<string, string | Uint8Array>): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const entries: NewcEntry[] = Object.entries(files).map(([path, content]) => {
    const data = typeof content === 'string' ? enc.encode(content) : content;
    return { type: 'file', path, data, size: data.length };
  });
  return new Uint8Array(await buffer(Readable.from(encodeNewcArchive(entries))));
}

/** Byte equality without vitest's element-by-element diff (which takes minutes on a kernel). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
