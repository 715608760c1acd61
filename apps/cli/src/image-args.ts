import { InvalidArgumentError, type ImageLocation, type ImageStore } from '@metalayer/core';
import {
  formatReference,
  ManifestNotFoundError,
  openImageStore,
  parsePlatform,
  resolveManifest,
  parseCredentials,
  refNameOf,
  type ImageReference,
  type LayoutStore,
  type OpenStoreOptions,
} from '@metalayer/oci';
import type { OptionSpecs } from './command';

/** Options every command that reads an image accepts (names as in skopeo). */
export const imageOptions = {
  'tls-verify': { type: 'string', valueName: 'BOOL', description: 'false: allow plain HTTP to the registry (default true).' },
  creds: { type: 'string', valueName: 'USER:PASS', description: 'Registry credentials.' },
  'retry-times': { type: 'string', valueName: 'N', description: 'Retries of a registry request answered 429/5xx (default 4).' },
  platform: { type: 'string', valueName: 'OS/ARCH[/VARIANT]', description: 'Platform to pick from an image index (default linux/amd64).' },
} as const satisfies OptionSpecs;

/** Options of the commands that read SRC and write DEST (`copy`, `attach`), as skopeo names them. */
export const transferOptions = {
  'src-creds': { type: 'string', valueName: 'USER:PASS', description: 'Credentials for the source registry.' },
  'dest-creds': { type: 'string', valueName: 'USER:PASS', description: 'Credentials for the destination registry.' },
  'src-tls-verify': { type: 'string', valueName: 'BOOL', description: 'false: allow plain HTTP to the source registry (default true).' },
  'dest-tls-verify': {
    type: 'string',
    valueName: 'BOOL',
    description: 'false: allow plain HTTP to the destination registry (default true).',
  },
  'retry-times': imageOptions['retry-times'],
} as const satisfies OptionSpecs;

/** Store options of one side (`src` or `dest`) from {@link transferOptions} values. */
export function sideStoreOptions(
  values: { 'src-creds'?: string; 'dest-creds'?: string; 'src-tls-verify'?: string; 'dest-tls-verify'?: string; 'retry-times'?: string },
  side: 'src' | 'dest',
): OpenStoreOptions {
  return storeOptions(
    { 'tls-verify': values[`${side}-tls-verify`], creds: values[`${side}-creds`], 'retry-times': values['retry-times'] },
    `${side}-`,
  );
}

/** Values of {@link imageOptions}. */
export interface ImageOptionValues {
  'tls-verify'?: string;
  creds?: string;
  'retry-times'?: string;
  platform?: string;
}

/** An image argument opened: its store, the tag or digest inside it, and the reference as typed. */
export interface OpenedImage extends ImageLocation {
  readonly parsed: ImageReference;
  /** `oci:DIR:TAG` / `docker://…` for messages. */
  readonly label: string;
}

/** Parses a `true`/`false` flag value. */
export function parseBoolFlag(option: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new InvalidArgumentError({ argument: option, value, message: `${option} must be true or false, got "${value}"` });
}

/** Store options from `--tls-verify`, `--creds`, `--retry-times` (or their prefixed variants). */
export function storeOptions(values: ImageOptionValues, prefix = ''): OpenStoreOptions {
  const retries = values['retry-times'];
  if (retries !== undefined && !/^\d+$/.test(retries)) {
    throw new InvalidArgumentError({
      argument: '--retry-times',
      value: retries,
      message: `--retry-times must be a number, got "${retries}"`,
    });
  }
  const tls = parseBoolFlag(`--${prefix}tls-verify`, values['tls-verify']);
  return {
    ...(retries !== undefined ? { retries: Number(retries) } : {}),
    ...(tls !== undefined ? { tlsVerify: tls } : {}),
    ...(values.creds ? { credentials: parseCredentials(values.creds) } : {}),
  };
}

/** What {@link openImageArg} needs from {@link imageOptions} values: store options and the platform. */
export function imageArgOptions(values: ImageOptionValues): OpenStoreOptions & { platform?: string } {
  return { ...storeOptions(values), ...(values.platform ? { platform: values.platform } : {}) };
}

/** skopeo's rule: an untagged `oci:DIR` must hold exactly one image; returns its digest. */
export async function soleLayoutEntry(store: ImageStore): Promise<string> {
  const { manifests } = await (store as LayoutStore).readIndex();
  const roots = manifests.filter((m) => !m.artifactType);
  if (roots.length === 1) return roots[0]!.digest;
  const tags = manifests.map(refNameOf).filter(Boolean);
  throw new ManifestNotFoundError({
    reference: '(no tag)',
    location: store.location,
    message: `${store.location}: ${roots.length === 0 ? 'the layout holds no image' : `holds ${roots.length} images; name one`}`,
    hint: tags.length ? `tags: ${tags.join(', ')}` : 'use oci:DIR:TAG or oci:DIR@sha256:…',
  });
}

/**
 * Opens an image reference (`oci:DIR[:TAG|@DIGEST]`, `docker://HOST/REPO[:TAG|@DIGEST]`).
 * A reference to an image index is narrowed to the manifest of `platform`
 * (default linux/amd64), so every strategy sees the same single image.
 */
export async function openImageArg(reference: string, options: OpenStoreOptions & { platform?: string } = {}): Promise<OpenedImage> {
  const { platform, ...storeOpts } = options;
  const opened = await openImageStore(reference, storeOpts);
  const target = opened.target ?? (await soleLayoutEntry(opened.store));
  const { manifest, indexes } = await resolveManifest(opened.store, target, platform ? { platform: parsePlatform(platform) } : {});
  return {
    store: opened.store,
    reference: indexes.length ? manifest.descriptor.digest : target,
    parsed: opened.reference,
    label: formatReference(opened.reference),
  };
}
