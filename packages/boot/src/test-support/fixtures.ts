import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveFile, repoRoot } from '@metalayer/test-utils';

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
export function makeCpio(files: Record<string, string | Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  let ino = 1;
  const enc = new TextEncoder();
  const pad4 = (n: number) => new Uint8Array((4 - (n % 4)) % 4);
  const entry = (name: string, mode: number, data: Uint8Array) => {
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    const header = enc.encode(`070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}`);
    const nameBytes = enc.encode(`${name}\0`);
    parts.push(header, nameBytes, pad4(header.length + nameBytes.length), data, pad4(data.length));
  };
  for (const [name, content] of Object.entries(files)) entry(name, 0o100644, typeof content === 'string' ? enc.encode(content) : content);
  entry('TRAILER!!!', 0, new Uint8Array());
  const size = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size + ((512 - (size % 512)) % 512));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Byte equality without vitest's element-by-element diff (which takes minutes on a kernel). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
