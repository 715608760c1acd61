import { toByteSource, type ByteInput } from '../bytes/byte-source';

// x86 boot protocol (Documentation/arch/x86/boot.rst, "The Real-Mode Kernel
// Header"): the setup header carries "HdrS" at 0x202 and, from protocol 2.00,
// a u16 at 0x20E pointing (relative to 0x200) at a NUL-terminated string that
// starts with the `uname -r` version.

/** Offset of the `HdrS` magic. */
export const BZIMAGE_HEADER_MAGIC_OFFSET = 0x202;
/** `HdrS` as a little-endian u32. */
export const BZIMAGE_HEADER_MAGIC = 0x53726448;
/** Offset of `kernel_version`, the u16 pointer to the version string. */
export const BZIMAGE_KERNEL_VERSION_OFFSET = 0x20e;
/** The version pointer is relative to this offset. */
export const BZIMAGE_KERNEL_VERSION_BASE = 0x200;
/** Bytes of the version string read (ukify reads 128). */
export const MAX_KERNEL_VERSION_STRING = 128;

/** Characters of a kernel release (`uname -r`), e.g. `6.12.95+deb12-amd64`. */
const KERNEL_RELEASE = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

/**
 * The kernel release (`uname -r`) of an x86 bzImage, read from its setup
 * header, or undefined when the image has no such header (arm64, a zboot
 * image, not a kernel). Never throws on odd input.
 */
export async function readKernelUname(input: ByteInput): Promise<string | undefined> {
  const source = toByteSource(input);
  if (source.size < BZIMAGE_KERNEL_VERSION_OFFSET + 2) return undefined;
  const header = await source.read(0, BZIMAGE_KERNEL_VERSION_OFFSET + 2);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (view.getUint32(BZIMAGE_HEADER_MAGIC_OFFSET, true) !== BZIMAGE_HEADER_MAGIC) return undefined;
  const pointer = view.getUint16(BZIMAGE_KERNEL_VERSION_OFFSET, true);
  if (pointer === 0) return undefined;
  const at = BZIMAGE_KERNEL_VERSION_BASE + pointer;
  if (at >= source.size) return undefined;
  const raw = await source.read(at, Math.min(MAX_KERNEL_VERSION_STRING, source.size - at));
  const nul = raw.indexOf(0);
  let text = '';
  for (const byte of raw.subarray(0, nul < 0 ? raw.length : nul)) text += String.fromCharCode(byte);
  const release = text.split(' ', 1)[0] ?? '';
  return KERNEL_RELEASE.test(release) ? release : undefined;
}
