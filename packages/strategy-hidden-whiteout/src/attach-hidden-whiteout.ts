import { AlreadyAttachedError, describeImage, type AttachRequest, type AttachResult, type StrategyContext } from '@metalayer/core';
import { putLayer, resolveImage } from '@metalayer/oci';
import {
  analyzeImage,
  appendLayers,
  bootableDigestKey,
  fsverityOfSource,
  KEY_LAYER_ROLE,
  KEY_STRATEGY,
  sealPayload,
} from '@metalayer/strategy-kit';
import { PrivateDirectoryConflictError } from './errors/private-directory-conflict-error';
import { fileDigestKey, KEY_META_LAYER, KEY_WHITEOUT_LAYER, readHiddenWhiteoutLabels } from './hidden-whiteout-labels';
import { metaLayerEntries, whiteoutLayerEntries } from './layer-entries';
import { planMetaLayout, type MetaLayoutOptions } from './meta-layout';
import { PRIVATE_DIRECTORY } from './private-directory';
import { STRATEGY_NAME } from './strategy-name';

/**
 * Attaches a payload the hidden-whiteout way: layer N+1 adds it under
 * `/.metalayer`, layer N+2 whites that directory out, the config labels name
 * both layers by diff_id and every payload file by its fs-verity digest.
 * The merged tree equals the base's, so the command line names the base's
 * bootable digest. Refuses an image that already carries our labels
 * (`AlreadyAttachedError`) or whose merged tree has `/.metalayer`
 * (`PrivateDirectoryConflictError`). Reads each base layer once.
 */
export async function attachHiddenWhiteout(
  ctx: StrategyContext,
  request: AttachRequest,
  options: MetaLayoutOptions,
): Promise<AttachResult> {
  const { store } = request.image;
  const name = describeImage(request.image);
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const base = await resolveImage(store, request.image.reference, signal);
  const existing = readHiddenWhiteoutLabels(base.config);
  if (existing.metaLayer !== undefined) {
    throw new AlreadyAttachedError({ image: name, strategy: STRATEGY_NAME, existing: `meta layer ${existing.metaLayer}` });
  }
  // Names are checked before the pass over the base; sealing does not change them.
  await planMetaLayout(request.payload, options);
  // Only the merged result matters: what earlier layers created and later ones removed is not
  // there for our whiteout to delete, and a whiteout entry is never part of a merged tree.
  const { digests } = await analyzeImage(ctx, store, base, {
    specs: [request.digest],
    paths: [PRIVATE_DIRECTORY],
    check: ({ paths }) => {
      const kind = paths.get(PRIVATE_DIRECTORY);
      if (kind) throw new PrivateDirectoryConflictError({ image: name, path: `/${PRIVATE_DIRECTORY}`, kind });
    },
  });
  const [digest] = digests;
  if (!digest) throw new Error('analyzeImage returned no digest for the one spec asked');
  ctx.log?.(`${name}: bootable digest ${digest.algorithm}:${digest.hex}`);
  const sealed = await sealPayload(ctx, request.payload, digest);
  const layout = await planMetaLayout(sealed, options);

  const fileLabels: Record<string, string> = {};
  for (const file of layout.files)
    fileLabels[fileDigestKey(file.role, digest.algorithm)] = await fsverityOfSource(file.data, digest.algorithm);
  const annotations = (role: 'meta' | 'whiteout') => ({ [KEY_LAYER_ROLE]: role, [KEY_STRATEGY]: STRATEGY_NAME });
  // Uncompressed: the payload is mostly compressed already, and a plain tar
  // has the same bytes on every Node/zlib version (diff_id == digest).
  const meta = await putLayer(store, metaLayerEntries(layout.files), { compression: 'none', annotations: annotations('meta') });
  const whiteout = await putLayer(store, whiteoutLayerEntries(), { compression: 'none', annotations: annotations('whiteout') });
  const appended = await appendLayers(store, base, {
    layers: [
      {
        descriptor: meta.descriptor,
        diffId: meta.diffId,
        createdBy: `metalayer ${STRATEGY_NAME}: add the boot payload under /${PRIVATE_DIRECTORY}`,
      },
      {
        descriptor: whiteout.descriptor,
        diffId: whiteout.diffId,
        createdBy: `metalayer ${STRATEGY_NAME}: white out /${PRIVATE_DIRECTORY}`,
      },
    ],
    labels: {
      [KEY_STRATEGY]: STRATEGY_NAME,
      [bootableDigestKey(digest)]: digest.hex,
      [KEY_META_LAYER]: meta.diffId,
      [KEY_WHITEOUT_LAYER]: whiteout.diffId,
      ...fileLabels,
    },
    // Where the composefs OCI sealing spec puts the digest inline (a hint, like the label).
    annotations: { [bootableDigestKey(digest)]: digest.hex },
    ...(request.tag ? { tag: request.tag } : {}),
  });
  return {
    strategy: STRATEGY_NAME,
    image: appended.manifest,
    composefsDigest: digest,
    added: [meta.descriptor, whiteout.descriptor, ...appended.added],
    payload: layout.payload,
  };
}
