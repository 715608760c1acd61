import type { MetaLayerStrategy, StrategyCapabilities } from '@metalayer/core';
import { resolveImage } from '@metalayer/oci';
import { attachHiddenWhiteout } from './attach-hidden-whiteout';
import { readHiddenWhiteoutLabels } from './hidden-whiteout-labels';
import { locateHiddenWhiteout } from './locate-hidden-whiteout';
import { STRATEGY_NAME } from './strategy-name';

/** Options of {@link createHiddenWhiteoutStrategy}. */
export interface HiddenWhiteoutStrategyOptions {
  /**
   * Entry token of BLS entries (`loader/entries/<token>-<kver>.conf`,
   * `<token>/<kver>/…`); default: the payload's os-release `IMAGE_ID`, else
   * `ID`, else `linux`.
   */
  readonly entryToken?: string;
}

/** What the hidden-whiteout strategy can do; the conformance suite reads these. */
export const HIDDEN_WHITEOUT_CAPABILITIES: StrategyCapabilities = {
  hidesKernelFromContainer: true,
  changesImageDigest: true,
  needsReferrers: false,
  payloadKinds: ['uki', 'bls'],
  reattach: 'refuse',
};

/**
 * The hidden-whiteout meta-layer strategy: layer N+1 adds the payload under
 * `/.metalayer` (laid out like `$BOOT`), layer N+2 whites it out, so the
 * merged tree and its composefs digest equal the base image's and containers
 * never see the kernel. Config labels name the meta layer by diff_id and each
 * payload file by its fs-verity digest.
 */
export function createHiddenWhiteoutStrategy(options: HiddenWhiteoutStrategyOptions = {}): MetaLayerStrategy {
  const layoutOptions = options.entryToken === undefined ? {} : { entryToken: options.entryToken };
  return {
    name: STRATEGY_NAME,
    summary:
      'adds the kernel under /.metalayer in one layer and whites it out in the next: the booted root and its digest equal the base image',
    capabilities: HIDDEN_WHITEOUT_CAPABILITIES,
    async detect(ctx, image) {
      const resolved = await resolveImage(image.store, image.reference, ctx.signal ? { signal: ctx.signal } : {});
      return readHiddenWhiteoutLabels(resolved.config).metaLayer !== undefined;
    },
    attach: (ctx, request) => attachHiddenWhiteout(ctx, request, layoutOptions),
    locate: (ctx, image) => locateHiddenWhiteout(ctx, image),
  };
}
