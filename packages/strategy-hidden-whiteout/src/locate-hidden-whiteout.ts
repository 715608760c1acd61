import { describeImage, PayloadNotFoundError, type ImageLocation, type LocatedPayload, type StrategyContext } from '@metalayer/core';
import { resolveImage } from '@metalayer/oci';
import { PayloadFormatError } from '@metalayer/strategy-kit';
import { checkFileDigests } from './check-file-digests';
import { checkWhiteoutLayer } from './check-whiteout-layer';
import { KEY_META_LAYER, KEY_WHITEOUT_LAYER, readHiddenWhiteoutLabels } from './hidden-whiteout-labels';
import { payloadFromMeta } from './payload-from-meta';
import { PRIVATE_DIRECTORY } from './private-directory';
import { readMetaLayer } from './read-meta-layer';
import { STRATEGY_NAME } from './strategy-name';

const DIFF_ID = /^sha256:[0-9a-f]{64}$/;

/**
 * Finds the payload by its labels, never by layer position: the layer whose
 * diff_id the meta-layer label names, which must be followed by the
 * whiteout layer the labels name (and that layer must white out
 * `/.metalayer`). Extracts the files (verified while streaming), reads the
 * `$BOOT` tree, and checks each file against its fs-verity label. No labels:
 * `PayloadNotFoundError`; labels that contradict the image: `PayloadFormatError`;
 * a file that does not match its label: `DigestMismatchError`.
 */
export async function locateHiddenWhiteout(ctx: StrategyContext, location: ImageLocation): Promise<LocatedPayload> {
  const { store } = location;
  const name = describeImage(location);
  const image = await resolveImage(store, location.reference, ctx.signal ? { signal: ctx.signal } : {});
  const labels = readHiddenWhiteoutLabels(image.config);
  if (labels.metaLayer === undefined) {
    throw new PayloadNotFoundError({ image: name, strategy: STRATEGY_NAME, reason: `the config has no ${KEY_META_LAYER} label` });
  }
  const fail: (reason: string) => never = (reason) => {
    throw new PayloadFormatError({ subject: name, reason });
  };
  const { metaLayer, whiteoutLayer } = labels;
  if (!DIFF_ID.test(metaLayer)) fail(`label ${KEY_META_LAYER} is not a sha256 diff_id: ${JSON.stringify(metaLayer)}`);
  if (whiteoutLayer === undefined) fail(`the config has ${KEY_META_LAYER} but no ${KEY_WHITEOUT_LAYER} label`);
  const diffIds = image.config.rootfs.diff_ids;
  if (diffIds.length !== image.manifest.layers.length) {
    fail(`the config lists ${diffIds.length} diff_ids for ${image.manifest.layers.length} manifest layers`);
  }
  const index = diffIds.indexOf(metaLayer);
  if (index < 0) fail(`label ${KEY_META_LAYER} names ${metaLayer}, which is not a layer of the image`);
  if (diffIds.lastIndexOf(metaLayer) !== index) fail(`label ${KEY_META_LAYER} names ${metaLayer}, which the image lists more than once`);
  if (diffIds[index + 1] !== whiteoutLayer) {
    fail(
      `the meta layer ${metaLayer} is followed by ${diffIds[index + 1] ?? 'no layer'}, not by the whiteout layer ${whiteoutLayer} ` +
        `the labels name, so /${PRIVATE_DIRECTORY} may be visible in the container`,
    );
  }
  const layer = image.manifest.layers[index]!;
  await checkWhiteoutLayer(ctx, store, image.manifest.layers[index + 1]!, whiteoutLayer);
  const extracted = await readMetaLayer(ctx, store, layer, metaLayer);
  const subject = `${name}: meta layer ${layer.digest}`;
  const meta = await payloadFromMeta(extracted, subject);
  await checkFileDigests(labels.fileDigests, meta, subject);
  return {
    strategy: STRATEGY_NAME,
    image,
    payload: meta.payload,
    origin: { kind: 'layer', layer, diffId: metaLayer, paths: meta.files.map((f) => `${PRIVATE_DIRECTORY}/${f.path}`) },
    claims: labels.claims,
  };
}
