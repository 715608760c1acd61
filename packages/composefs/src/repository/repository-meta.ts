import { FSVERITY_LOG_BLOCK_SIZE, type FsVerityAlgorithm } from '../fsverity/fsverity-algorithm';
import { RepositoryError } from './repository-error';

/**
 * `meta.json` as composefs-rs writes it (`crates/composefs/src/repository.rs`
 * `RepoMetadata`, serde field order): base `version`, `algorithm`
 * (`fsverity-<hash>-<lg_blocksize>`), `features` (kebab-case arrays) and
 * `erofs_formats` (`{"default": N}`, `extra` omitted when empty).
 */
export const REPOSITORY_META_FILE = 'meta.json';
/** Base repository format version we understand (`REPO_FORMAT_VERSION`). */
export const REPOSITORY_FORMAT_VERSION = 1;
/** Read-only-compatible flag marking a V1-EROFS repository (`known_features::V1_EROFS`). */
export const FEATURE_V1_EROFS = 'v1_erofs';
const KNOWN_RO_COMPAT: readonly string[] = [FEATURE_V1_EROFS];
/** EROFS format repositories without `erofs_formats` (and without `v1_erofs`) produce: composefs-rs V2. */
const LEGACY_EROFS_FORMAT = 2;
/** Largest `meta.json` we read: it holds a handful of short fields. */
export const MAX_REPOSITORY_META_SIZE = 64 * 1024;

/** composefs image format versions metalayer writes (C mkcomposefs 0 and 1; 1 = composefs-rs V1). */
export type RepositoryErofsVersion = 0 | 1;

/** What `meta.json` says, checked. */
export interface RepositoryMeta {
  /** Base format version (`version`). */
  readonly version: number;
  readonly algorithm: FsVerityAlgorithm;
  /** EROFS format of the images the repository produces by default (composefs-rs `erofs_version()`). */
  readonly erofsVersion: number;
  /** Further formats composefs-rs generates alongside the default (`erofs_formats.extra`). */
  readonly extraErofsVersions: readonly number[];
  readonly compatible: readonly string[];
  readonly readOnlyCompatible: readonly string[];
  readonly incompatible: readonly string[];
  /** Read-only-compatible features we do not know: tools must not write then. */
  readonly unknownReadOnlyFeatures: readonly string[];
}

/** `fsverity-sha512-12` for sha512 (composefs-rs `Algorithm` Display). */
export function repositoryAlgorithmName(algorithm: FsVerityAlgorithm): string {
  return `fsverity-${algorithm}-${FSVERITY_LOG_BLOCK_SIZE}`;
}

/** The algorithm a `fsverity-<hash>-12` name stands for, or undefined. */
export function parseRepositoryAlgorithm(name: string): FsVerityAlgorithm | undefined {
  const match = /^fsverity-(sha256|sha512)-(\d+)$/.exec(name);
  if (!match || Number(match[2]) !== FSVERITY_LOG_BLOCK_SIZE) return undefined;
  return match[1] as FsVerityAlgorithm;
}

/**
 * The `meta.json` text composefs-rs `cfsctl init` writes for a new repository
 * (serde_json pretty printing: two-space indent, trailing newline).
 */
export function formatRepositoryMeta(algorithm: FsVerityAlgorithm, erofsVersion: RepositoryErofsVersion): string {
  const meta = {
    version: REPOSITORY_FORMAT_VERSION,
    algorithm: repositoryAlgorithmName(algorithm),
    features: {
      compatible: [],
      // new_with_formats: the flag marks a V1 default only (V0 has none).
      'read-only-compatible': erofsVersion === 1 ? [FEATURE_V1_EROFS] : [],
      incompatible: [],
    },
    erofs_formats: { default: erofsVersion },
  };
  return `${JSON.stringify(meta, null, 2)}\n`;
}

function stringArray(value: unknown, field: string, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new RepositoryError({ reason: 'invalid-metadata', path, message: `${field} must be an array of strings` });
  }
  return value as string[];
}

function formatNumber(value: unknown, field: string, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) {
    throw new RepositoryError({ reason: 'invalid-metadata', path, message: `${field} must be a format version number` });
  }
  return value;
}

/**
 * Parses and checks `meta.json` (`path` names it in errors). Throws for an
 * unknown base version or unknown incompatible features, as composefs-rs
 * `check_compatible` does; unknown read-only-compatible features are
 * reported in `unknownReadOnlyFeatures`.
 */
export function parseRepositoryMeta(text: string, path: string): RepositoryMeta {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new RepositoryError({ reason: 'invalid-metadata', path, message: 'not valid JSON', cause });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new RepositoryError({ reason: 'invalid-metadata', path, message: 'not a JSON object' });
  }
  const record = json as Record<string, unknown>;
  const version = record.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new RepositoryError({ reason: 'invalid-metadata', path, message: '"version" must be a non-negative integer' });
  }
  if (version > REPOSITORY_FORMAT_VERSION) {
    throw new RepositoryError({
      reason: 'unsupported-version',
      path,
      message: `repository format version ${version} is newer than ${REPOSITORY_FORMAT_VERSION}`,
      expected: String(REPOSITORY_FORMAT_VERSION),
      actual: String(version),
    });
  }
  const algorithmName = record.algorithm;
  const algorithm = typeof algorithmName === 'string' ? parseRepositoryAlgorithm(algorithmName) : undefined;
  if (algorithm === undefined) {
    throw new RepositoryError({
      reason: 'invalid-metadata',
      path,
      message: `unsupported "algorithm" ${JSON.stringify(algorithmName)} (expected fsverity-sha256-12 or fsverity-sha512-12)`,
    });
  }
  const features = (record.features ?? {}) as Record<string, unknown>;
  if (typeof features !== 'object' || Array.isArray(features)) {
    throw new RepositoryError({ reason: 'invalid-metadata', path, message: '"features" must be an object' });
  }
  const compatible = stringArray(features.compatible, 'features.compatible', path);
  const readOnlyCompatible = stringArray(features['read-only-compatible'], 'features.read-only-compatible', path);
  const incompatible = stringArray(features.incompatible, 'features.incompatible', path);
  if (incompatible.length > 0) {
    throw new RepositoryError({
      reason: 'incompatible-features',
      path,
      message: `repository requires unknown incompatible features: ${incompatible.join(', ')}`,
    });
  }
  let erofsVersion = LEGACY_EROFS_FORMAT;
  let extra: number[] = [];
  const formats = record.erofs_formats;
  if (formats !== undefined) {
    if (formats === null || typeof formats !== 'object' || Array.isArray(formats)) {
      throw new RepositoryError({ reason: 'invalid-metadata', path, message: '"erofs_formats" must be an object' });
    }
    const f = formats as Record<string, unknown>;
    erofsVersion = formatNumber(f.default, 'erofs_formats.default', path);
    if (f.extra !== undefined) {
      if (!Array.isArray(f.extra))
        throw new RepositoryError({ reason: 'invalid-metadata', path, message: 'erofs_formats.extra must be an array' });
      extra = f.extra.map((v, i) => formatNumber(v, `erofs_formats.extra[${i}]`, path));
    }
  }
  // format_config(): an absent field and an explicit single V2 read the same;
  // both defer to the legacy v1_erofs flag.
  if (erofsVersion === LEGACY_EROFS_FORMAT && extra.length === 0 && readOnlyCompatible.includes(FEATURE_V1_EROFS)) {
    erofsVersion = 1;
  }
  return {
    version,
    algorithm,
    erofsVersion,
    extraErofsVersions: [...new Set(extra)].filter((v) => v !== erofsVersion).sort(),
    compatible,
    readOnlyCompatible,
    incompatible,
    unknownReadOnlyFeatures: readOnlyCompatible.filter((f) => !KNOWN_RO_COMPAT.includes(f)),
  };
}
