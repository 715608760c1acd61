import type { ComposefsHashAlgorithm, ImageConfig } from '@metalayer/core';
import { KEY_STRATEGY, METALAYER_KEY_PREFIX } from '@metalayer/strategy-kit';

/** Prefix of the config labels only this strategy writes. */
export const HIDDEN_WHITEOUT_KEY_PREFIX = `${METALAYER_KEY_PREFIX}hidden-whiteout.`;

/** Config label: the meta layer's diff_id (`sha256:…`). How `locate` finds the payload. */
export const KEY_META_LAYER = `${HIDDEN_WHITEOUT_KEY_PREFIX}meta-layer`;

/** Config label: the diff_id of the whiteout layer that must follow the meta layer. */
export const KEY_WHITEOUT_LAYER = `${HIDDEN_WHITEOUT_KEY_PREFIX}whiteout-layer`;

/** A payload file as the labels name it: `uki`; or `entry`, `kernel`, `initrd.0`, `initrd.1`, … */
export type MetaFileRole = 'uki' | 'entry' | 'kernel' | `initrd.${number}`;

/** fs-verity block size the digests are computed with, as log2 (sealing-spec key style `-12`). */
const FSVERITY_LOG_BLOCK_SIZE = 12;

/**
 * Config label naming a payload file by its fs-verity digest, the algorithm
 * in the key (composefs sealing-spec style), e.g.
 * `dev.metalayer.hidden-whiteout.uki.fsverity-sha512-12`.
 */
export function fileDigestKey(role: MetaFileRole, algorithm: ComposefsHashAlgorithm): string {
  return `${HIDDEN_WHITEOUT_KEY_PREFIX}${role}.fsverity-${algorithm}-${FSVERITY_LOG_BLOCK_SIZE}`;
}

const FILE_DIGEST_KEY = new RegExp(
  `^${HIDDEN_WHITEOUT_KEY_PREFIX.replace(/\./g, '\\.')}(uki|entry|kernel|initrd\\.(?:0|[1-9][0-9]{0,3}))\\.fsverity-(sha256|sha512)-${FSVERITY_LOG_BLOCK_SIZE}$`,
);

/** A file digest label read back from a config. */
export interface FileDigestLabel {
  readonly key: string;
  readonly role: MetaFileRole;
  readonly algorithm: ComposefsHashAlgorithm;
  /** As written in the label (checked against the file, never trusted). */
  readonly value: string;
}

/** What a config says about a hidden-whiteout payload; `undefined` fields were not set. */
export interface HiddenWhiteoutLabels {
  readonly metaLayer: string | undefined;
  readonly whiteoutLayer: string | undefined;
  readonly fileDigests: readonly FileDigestLabel[];
  /** Every label of ours plus the strategy and sealing-spec keys: `LocatedPayload.claims`. */
  readonly claims: Readonly<Record<string, string>>;
}

/** Sealing-spec keys of the bootable digest (`composefs.merged.bootable.erofs.v1.fsverity-sha512-12`, …). */
const BOOTABLE_DIGEST_KEY_PREFIX = 'composefs.merged.bootable.';

/** Reads this strategy's labels from a config (no validation beyond recognising keys). */
export function readHiddenWhiteoutLabels(config: ImageConfig): HiddenWhiteoutLabels {
  const labels: Readonly<Record<string, unknown>> = config.config?.Labels ?? {};
  const claims: Record<string, string> = {};
  const fileDigests: FileDigestLabel[] = [];
  for (const [key, value] of Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (typeof value !== 'string') continue;
    if (!key.startsWith(HIDDEN_WHITEOUT_KEY_PREFIX) && key !== KEY_STRATEGY && !key.startsWith(BOOTABLE_DIGEST_KEY_PREFIX)) continue;
    claims[key] = value;
    const match = FILE_DIGEST_KEY.exec(key);
    if (match) fileDigests.push({ key, role: match[1] as MetaFileRole, algorithm: match[2] as ComposefsHashAlgorithm, value });
  }
  return { metaLayer: claims[KEY_META_LAYER], whiteoutLayer: claims[KEY_WHITEOUT_LAYER], fileDigests, claims };
}
