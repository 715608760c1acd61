/** Hash of the composefs image's fs-verity digest (and of its external objects). */
export type ComposefsHashAlgorithm = 'sha256' | 'sha512';

/** composefs EROFS format version the digest is computed for (C mkcomposefs 0 and 1; 1 = composefs-rs V1). */
export type ComposefsErofsVersion = 0 | 1;

/** How a composefs image digest is computed. */
export interface ComposefsDigestSpec {
  readonly algorithm: ComposefsHashAlgorithm;
  readonly erofsVersion: ComposefsErofsVersion;
}

/** A composefs image digest and how it was computed. */
export interface ComposefsDigestValue extends ComposefsDigestSpec {
  /** Lowercase hex: 64 (sha256) or 128 (sha512) characters. */
  readonly hex: string;
}

/** The default: what current composefs-rs and bootc repositories use (V1 EROFS, SHA-512). */
export const DEFAULT_DIGEST_SPEC: ComposefsDigestSpec = { algorithm: 'sha512', erofsVersion: 1 };
