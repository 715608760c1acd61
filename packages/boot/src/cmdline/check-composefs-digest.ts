import { DigestMismatchError } from '@metalayer/core';
import {
  describeComposefsDigest,
  findComposefsArgs,
  sameComposefsDigest,
  type ComposefsDigest,
  type ComposefsDigestArg,
} from './composefs-arg';

/** A command line to check, and where it came from (for messages). */
export interface CmdlineToCheck {
  /** e.g. `UKI .cmdline (profile @0)` or `BLS options`. */
  readonly subject: string;
  /** The text; undefined when there is no command line at all. */
  readonly cmdline: string | undefined;
}

/**
 * Checks that every command line names the expected composefs image: at
 * least one composefs argument, and every composefs argument equal (by
 * algorithm and hex) to one of `expected` — a stray second digest could make
 * setup-root mount a different image. Insecure (`?`) arguments are refused
 * unless `allowInsecure`. Throws core's `DigestMismatchError` naming both the
 * digest found and the one expected; returns the arguments found.
 */
export function checkComposefsDigest(
  cmdlines: readonly CmdlineToCheck[],
  expected: ComposefsDigest | readonly ComposefsDigest[],
  options: { allowInsecure?: boolean } = {},
): ComposefsDigestArg[] {
  const wanted = (Array.isArray(expected) ? expected : [expected]) as readonly ComposefsDigest[];
  if (wanted.length === 0) throw new TypeError('checkComposefsDigest: no expected digest given');
  const expectedText = wanted.map((d) => describeComposefsDigest(d)).join(' or ');
  const all: ComposefsDigestArg[] = [];
  for (const { subject, cmdline } of cmdlines) {
    const found = cmdline === undefined ? [] : findComposefsArgs(cmdline);
    const foundText = found.length === 0 ? '(none)' : found.map((a) => describeComposefsDigest(a)).join(', ');
    const hint = 'the payload was made for a different image (or the image changed after sealing); rebuild the payload for this image';
    if (found.length === 0) {
      throw new DigestMismatchError({
        subject,
        expected: expectedText,
        actual: foundText,
        message: `${subject}: ${cmdline === undefined ? 'no command line' : 'no composefs= or composefs.digest= argument'}, so it does not name the image's composefs digest ${expectedText}`,
        hint,
      });
    }
    for (const arg of found) {
      if (!wanted.some((w) => sameComposefsDigest(w, arg))) {
        throw new DigestMismatchError({
          subject,
          expected: expectedText,
          actual: describeComposefsDigest(arg),
          message: `${subject}: composefs digest mismatch: the payload names ${describeComposefsDigest(arg)} but the image's recomputed digest is ${expectedText}`,
          hint,
        });
      }
      if (arg.insecure && !options.allowInsecure) {
        throw new DigestMismatchError({
          subject,
          expected: expectedText,
          actual: describeComposefsDigest(arg),
          message: `${subject}: ${describeComposefsDigest(arg)} is the insecure "?" form (fs-verity not enforced)`,
          hint: 'allow it explicitly (allowInsecure / --allow-insecure) for development images only',
        });
      }
      all.push(arg);
    }
  }
  return all;
}
