import { describeBoot, type BootResult } from './boot-qemu';
import { markValue } from './serial-console';

/** What a verified composefs boot must have shown. */
export interface ComposefsBootExpectation {
  /** The image digest the guest measured (hex). */
  digest: string;
  /** `sha256` (default) or `sha512`. */
  algorithm?: 'sha256' | 'sha512';
  /** Content of `/etc/marker-big` read inside the booted root. */
  marker: string;
}

function fail(result: BootResult, name: string, what: string): never {
  throw new Error(`${what}\n${describeBoot(result, name)}`);
}

/**
 * Checks a boot reached the composefs root the way it must: the success marker
 * with the expected object content, `fsverity measure` of the image equal to
 * the digest, and an overlay with the objects as data-only lower layer and
 * `verity=require` both as mounted by the initramfs and as seen from the root.
 * Throws with the serial tail otherwise.
 */
export function assertComposefsBoot(result: BootResult, name: string, expected: ComposefsBootExpectation): void {
  if (!result.ok) fail(result, name, `boot did not reach the composefs root: ${result.reason}`);
  const alg = expected.algorithm ?? 'sha256';
  const measured = markValue(result.marks, 'image-measure');
  if (measured !== `${alg}:${expected.digest}`) fail(result, name, `image measured ${measured}, expected ${alg}:${expected.digest}`);
  for (const mark of ['overlay', 'root-mount'] as const) {
    const line = markValue(result.marks, mark) ?? '';
    if (!/\bverity=require\b/.test(line)) fail(result, name, `${mark} lacks verity=require: ${line}`);
    if (!/lowerdir=[^,]*::[^,]*\/composefs\/objects/.test(line)) fail(result, name, `${mark} lacks the data-only objects layer: ${line}`);
  }
  const marker = markValue(result.marks, 'in-composefs-root', 'marker');
  if (marker !== expected.marker) fail(result, name, `marker ${JSON.stringify(marker)}, expected ${JSON.stringify(expected.marker)}`);
}
