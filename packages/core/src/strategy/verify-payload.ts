import type { ImageStore, ResolvedImage } from '../image/image-store';
import type { Descriptor } from '../image/oci-types';
import type { ComposefsDigestSpec, ComposefsDigestValue, ComposefsErofsVersion, ComposefsHashAlgorithm } from './composefs-digest';
import type { LocatedPayload, PayloadOrigin, StrategyContext } from './meta-layer-strategy';
import type { BootPayload } from './payload';

/** A composefs digest as a kernel command line names it. */
export interface NamedComposefsDigest {
  /** The argument exactly as written, e.g. `composefs.digest=v1-sha512-12:…`. */
  readonly text: string;
  readonly algorithm: ComposefsHashAlgorithm;
  readonly hex: string;
  /** `v1`: `composefs.digest=v1-…` (EROFS format 0 or 1); `v2`: `composefs.digest=v2-…` or legacy `composefs=` (composefs-rs V2 EROFS). */
  readonly format: 'v1' | 'v2';
  /** The `?` form: fs-verity not enforced (development only). */
  readonly insecure: boolean;
  /** UKI profile whose command line names it (undefined for the base/only command line). */
  readonly profile?: number;
}

/** The services {@link verifyPayload} needs; the CLI injects the real ones (boot and rootfs packages). */
export interface VerifyDependencies {
  /** Every composefs digest named by the payload's command lines (all UKI profiles, or the BLS options). */
  readComposefsDigests(payload: BootPayload): Promise<readonly NamedComposefsDigest[]>;
  /** Bootable composefs digests of `image`, one per spec, from one pass over its layers. */
  computeBootableDigests(
    ctx: StrategyContext,
    store: ImageStore,
    image: ResolvedImage,
    specs: readonly ComposefsDigestSpec[],
  ): Promise<readonly ComposefsDigestValue[]>;
}

/** Options of {@link verifyPayload}. */
export interface VerifyOptions {
  /** Accept the insecure `?` form. Default false. */
  readonly allowInsecure?: boolean;
  /**
   * EROFS format versions tried when recomputing a `v1-` digest (the karg
   * form is the same for formats 0 and 1). Default `[1, 0]`.
   */
  readonly erofsVersions?: readonly ComposefsErofsVersion[];
}

/** Everything `verify` found, checked or not: what `metalayer verify --json` prints. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly strategy: string;
  /** The image whose root the payload boots. */
  readonly image: Descriptor;
  readonly origin: PayloadOrigin;
  /** What the payload's command lines name. */
  readonly named: readonly NamedComposefsDigest[];
  /** What the image's root filesystem hashes to, per spec tried. */
  readonly recomputed: readonly ComposefsDigestValue[];
  /** The recomputed value every named digest matched, when verification passed. */
  readonly matched: ComposefsDigestValue | undefined;
  /** Why verification failed (empty when `ok`). */
  readonly problems: readonly string[];
  /** Label/annotation hints the strategy found (informative only). */
  readonly claims: Readonly<Record<string, string>>;
}

/**
 * Checks the chain payload → command-line digest → recomputed bootable
 * digest of the booted root. Hints in labels or annotations are never used:
 * the digest is always recomputed from the layers.
 */
export async function verifyPayload(
  ctx: StrategyContext,
  store: ImageStore,
  located: LocatedPayload,
  deps: VerifyDependencies,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const named = await deps.readComposefsDigests(located.payload);
  const problems: string[] = [];
  if (named.length === 0) problems.push('the command line names no composefs digest');
  for (const arg of named) {
    if (arg.format === 'v2') problems.push(`${arg.text}: V2 EROFS digests cannot be recomputed (metalayer writes formats 0 and 1)`);
    if (arg.insecure && !options.allowInsecure)
      problems.push(`${arg.text}: insecure form (fs-verity not enforced); pass allowInsecure to accept`);
  }
  const versions = options.erofsVersions ?? [1, 0];
  const algorithms = [...new Set(named.filter((a) => a.format === 'v1').map((a) => a.algorithm))];
  const specs = algorithms.flatMap((algorithm) => versions.map((erofsVersion) => ({ algorithm, erofsVersion })));
  const recomputed = specs.length ? await deps.computeBootableDigests(ctx, store, located.image, specs) : [];
  let matched: ComposefsDigestValue | undefined;
  for (const arg of named.filter((a) => a.format === 'v1')) {
    const hit = recomputed.find((r) => r.algorithm === arg.algorithm && r.hex === arg.hex.toLowerCase());
    if (!hit) {
      const expected = recomputed.filter((r) => r.algorithm === arg.algorithm).map((r) => `${r.hex} (EROFS v${r.erofsVersion})`);
      problems.push(`${arg.text} does not name the image's bootable digest ${expected.join(' or ')}`);
    } else {
      // Several arguments may name the same root in several forms (sha256 and
      // sha512, bootc#2248): each must match; the first match is reported.
      matched ??= hit;
    }
  }
  const ok = problems.length === 0 && matched !== undefined;
  return {
    ok,
    strategy: located.strategy,
    image: located.image.descriptor,
    origin: located.origin,
    named,
    recomputed,
    matched: ok ? matched : undefined,
    problems,
    claims: located.claims,
  };
}
