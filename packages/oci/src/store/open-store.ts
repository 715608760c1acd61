import { openLayout } from '../layout/layout-store';
import { parseReference, type ImageReference } from '../reference';
import type { RegistryCredentials } from '../registry/auth';
import { RegistryClient, type RegistryScheme } from '../registry/registry-client';
import { RegistryStore } from '../registry/registry-store';
import type { ImageStore } from '@metalayer/core';

/** Options of {@link openImageStore}. */
export interface OpenStoreOptions {
  /** Layouts: create the directory when missing (for destinations). */
  create?: boolean;
  credentials?: RegistryCredentials;
  /** Registries: `false` allows plain http (and untrusted https falls back to http), like skopeo's `--tls-verify=false`. */
  tlsVerify?: boolean;
  /** Registries: explicit scheme; overrides `tlsVerify`. */
  scheme?: RegistryScheme;
  /** Registries: retries on 429/5xx. */
  retries?: number;
}

/** A store opened from a reference, plus the tag or digest the reference names inside it. */
export interface OpenedStore {
  store: ImageStore;
  reference: ImageReference;
  /** Digest if given, else tag; undefined for an untagged layout reference. */
  target: string | undefined;
}

/** Opens the store an image reference points into (`oci:…` layout or `docker://…` repository). */
export async function openImageStore(reference: string | ImageReference, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const target = ref.digest ?? ref.tag;
  if (ref.transport === 'oci') {
    return { store: await openLayout(ref.path, { create: options.create ?? false }), reference: ref, target };
  }
  const client = new RegistryClient({
    registry: ref.registry,
    scheme: options.scheme ?? (options.tlsVerify === false ? 'auto' : 'https'),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
  });
  return { store: new RegistryStore(client, ref.repository), reference: ref, target };
}

/** Parses `USER:PASS` (the password may contain colons). */
export function parseCredentials(text: string): RegistryCredentials {
  const i = text.indexOf(':');
  return i === -1 ? { username: text, password: '' } : { username: text.slice(0, i), password: text.slice(i + 1) };
}
