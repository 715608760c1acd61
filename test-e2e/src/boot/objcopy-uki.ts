import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LimitExceededError } from '@metalayer/core';
import { FIRMWARE } from '../qemu/firmware';
import { runTool } from '../tools';

// PE/COFF (Microsoft PE format spec): the DOS header's e_lfanew points at
// "PE\0\0", followed by the 20-byte COFF header and the optional header.
const DOS_E_LFANEW = 0x3c;
const PE_SIGNATURE = 0x00004550;
const COFF_HEADER_SIZE = 20;
const PE32_PLUS_MAGIC = 0x20b;
/** Optional header (PE32+) field offsets. */
const OPT_IMAGE_BASE = 24;
const OPT_SIZE_OF_IMAGE = 56;
/** A stub is small; anything bigger is not the file we think it is. */
const MAX_STUB_SIZE = 16 * 1024 * 1024;
/** UKI sections are placed on page boundaries, as ukify does. */
const UKI_SECTION_ALIGN = 4096;

/** `ImageBase` and `SizeOfImage` of a PE32+ file: where new sections may start. */
export function peImageExtent(bytes: Uint8Array, what = 'PE file'): { imageBase: bigint; sizeOfImage: number } {
  if (bytes.length > MAX_STUB_SIZE) {
    throw new LimitExceededError({ limit: 'MAX_STUB_SIZE', maximum: MAX_STUB_SIZE, actual: bytes.length, subject: what });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (end: number, field: string): void => {
    if (end > bytes.length) throw new Error(`${what}: truncated before ${field} (needs ${end} bytes, has ${bytes.length})`);
  };
  need(DOS_E_LFANEW + 4, 'e_lfanew');
  const pe = view.getUint32(DOS_E_LFANEW, true);
  need(pe + 4 + COFF_HEADER_SIZE + OPT_SIZE_OF_IMAGE + 4, 'the optional header');
  if (view.getUint32(pe, true) !== PE_SIGNATURE) throw new Error(`${what}: no PE signature at ${pe}`);
  const opt = pe + 4 + COFF_HEADER_SIZE;
  if (view.getUint16(opt, true) !== PE32_PLUS_MAGIC) throw new Error(`${what}: not PE32+ (optional header magic)`);
  return { imageBase: view.getBigUint64(opt + OPT_IMAGE_BASE, true), sizeOfImage: view.getUint32(opt + OPT_SIZE_OF_IMAGE, true) };
}

/** Options of {@link buildObjcopyUki}. */
export interface ObjcopyUkiOptions {
  out: string;
  kernel: string;
  initrd: string;
  /** The embedded `.cmdline` (written without a trailing newline). */
  cmdline: string;
  /** The `.osrel` text (os-release format). */
  osRelease: string;
  /** Default: systemd-stub from systemd-boot-efi. */
  stub?: string;
}

const align = (n: number): number => Math.ceil(n / UKI_SECTION_ALIGN) * UKI_SECTION_ALIGN;

/**
 * Assembles a UKI with `objcopy` (systemd 252 has no ukify): the stub plus
 * `.osrel`, `.cmdline`, `.linux`, `.initrd`, each at a 4 KiB aligned VMA after
 * the stub's `SizeOfImage`, in that order, non-overlapping.
 */
export function buildObjcopyUki(options: ObjcopyUkiOptions): { path: string; sections: Record<string, bigint> } {
  const stub = options.stub ?? FIRMWARE.stub;
  const { imageBase, sizeOfImage } = peImageExtent(readFileSync(stub), stub);
  const work = mkdtempSync(join(tmpdir(), 'metalayer-uki-'));
  try {
    writeFileSync(join(work, 'osrel'), options.osRelease);
    writeFileSync(join(work, 'cmdline'), options.cmdline);
    const parts: Array<[string, string]> = [
      ['.osrel', join(work, 'osrel')],
      ['.cmdline', join(work, 'cmdline')],
      ['.linux', options.kernel],
      ['.initrd', options.initrd],
    ];
    const args: string[] = [];
    const sections: Record<string, bigint> = {};
    let rva = align(sizeOfImage);
    for (const [name, path] of parts) {
      const vma = imageBase + BigInt(rva);
      sections[name] = vma;
      args.push('--add-section', `${name}=${path}`, '--change-section-vma', `${name}=0x${vma.toString(16)}`);
      rva = align(rva + statSync(path).size);
    }
    runTool('objcopy', [...args, stub, options.out]);
    return { path: options.out, sections };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
