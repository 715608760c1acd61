import { artifactTypeOf } from '../parse-json';
import type { Descriptor, ParsedManifest } from '@metalayer/core';
import { refNameOf, withoutRefName, withRefName } from './layout-index';

/**
 * The descriptor a referrer gets in `index.json` and in referrer lists:
 * `artifactType` (else `config.mediaType`) and the manifest's annotations,
 * as the referrers API and oras do.
 */
export function referrerDescriptor(base: Descriptor, parsed: ParsedManifest): Descriptor {
  const artifactType = artifactTypeOf(parsed);
  const annotations = parsed.kind === 'index' ? parsed.index.annotations : parsed.manifest.annotations;
  return {
    mediaType: base.mediaType,
    digest: base.digest,
    size: base.size,
    ...(artifactType ? { artifactType } : {}),
    ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
  };
}

/** What {@link updateIndexEntries} changes. */
export interface IndexChange {
  tag?: string | undefined;
  /** List the descriptor untagged when not tagged. */
  root?: boolean | undefined;
  /** Untagged entries to add unless their digest is already listed (referrers). */
  additions?: Descriptor[];
}

/**
 * Applies a tag or an untagged addition to `index.json` entries. Retagging
 * strips the tag from the old entry and keeps it (skopeo's behaviour); an
 * untagged entry of the same digest gets the tag instead of a duplicate.
 */
export function updateIndexEntries(entries: readonly Descriptor[], descriptor: Descriptor, change: IndexChange): Descriptor[] {
  let next = entries.map((e) => e);
  const { tag } = change;
  if (tag !== undefined) {
    next = next.map((e) => (refNameOf(e) === tag && e.digest !== descriptor.digest ? withoutRefName(e) : e));
    if (!next.some((e) => e.digest === descriptor.digest && refNameOf(e) === tag)) {
      const untagged = next.findIndex((e) => e.digest === descriptor.digest && refNameOf(e) === undefined && !e.artifactType);
      if (untagged >= 0) next[untagged] = withRefName(next[untagged] as Descriptor, tag);
      else next.push(withRefName({ mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size }, tag));
    }
  } else if (change.root && !next.some((e) => e.digest === descriptor.digest)) {
    next.push({ mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size });
  }
  for (const addition of change.additions ?? []) {
    if (!next.some((e) => e.digest === addition.digest)) next.push(addition);
  }
  return next;
}
