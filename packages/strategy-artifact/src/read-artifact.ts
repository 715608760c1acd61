import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  LimitExceededError,
  type BootPayload,
  type Descriptor,
  type ImageStore,
  type PayloadFile,
  type StrategyContext,
} from '@metalayer/core';
import { MAX_BLS_ENTRY_SIZE, MAX_ENV_FILE_SIZE } from '@metalayer/boot';
import { lazyFileSource } from '@metalayer/boot/node';
import { KEY_PAYLOAD_ROLE, KEY_TITLE, MAX_PAYLOAD_FILE_SIZE, PayloadFormatError } from '@metalayer/strategy-kit';
import { parseArtifactEntry } from './artifact-entry';
import { KEY_KERNEL_VERSION, KEY_PAYLOAD_KIND, MAX_ARTIFACT_LAYERS, roleOfMediaType, type ArtifactRole } from './artifact-media-types';
import type { ArtifactCandidate } from './find-artifacts';
import { payloadNameProblem } from './payload-file-name';

/** A layer of the artifact, checked: known media type, matching role, safe unique title. */
interface ArtifactLayer {
  readonly role: ArtifactRole;
  readonly title: string;
  readonly descriptor: Descriptor;
}

/** Largest blob of each role: files are streamed to disk, texts are read into memory. */
const SIZE_LIMITS: Readonly<Record<ArtifactRole, readonly [string, number]>> = {
  uki: ['MAX_PAYLOAD_FILE_SIZE', MAX_PAYLOAD_FILE_SIZE],
  kernel: ['MAX_PAYLOAD_FILE_SIZE', MAX_PAYLOAD_FILE_SIZE],
  initrd: ['MAX_PAYLOAD_FILE_SIZE', MAX_PAYLOAD_FILE_SIZE],
  entry: ['MAX_BLS_ENTRY_SIZE', MAX_BLS_ENTRY_SIZE],
  'os-release': ['MAX_ENV_FILE_SIZE', MAX_ENV_FILE_SIZE],
};

let counter = 0;

/** Checks every layer's marks; throws `PayloadFormatError` naming the first that is wrong. */
function checkLayers(candidate: ArtifactCandidate, subject: string): ArtifactLayer[] {
  const { layers } = candidate.manifest;
  if (layers.length > MAX_ARTIFACT_LAYERS) {
    throw new LimitExceededError({ limit: 'MAX_ARTIFACT_LAYERS', maximum: MAX_ARTIFACT_LAYERS, actual: layers.length, subject });
  }
  const titles = new Set<string>();
  return layers.map((descriptor, i) => {
    const fail = (reason: string): never => {
      throw new PayloadFormatError({ subject, reason: `layers[${i}] (${descriptor.digest}): ${reason}` });
    };
    const role = roleOfMediaType(descriptor.mediaType) ?? fail(`unknown media type ${descriptor.mediaType}`);
    const marked = descriptor.annotations?.[KEY_PAYLOAD_ROLE];
    if (marked !== role) fail(`annotation ${KEY_PAYLOAD_ROLE} is ${JSON.stringify(marked)} but the media type says ${role}`);
    const title = descriptor.annotations?.[KEY_TITLE] ?? fail(`no ${KEY_TITLE} annotation`);
    const problem = payloadNameProblem(title);
    if (problem) fail(`title ${JSON.stringify(title)} ${problem}`);
    if (titles.has(title)) fail(`title ${JSON.stringify(title)} is used twice`);
    titles.add(title);
    const [limit, maximum] = SIZE_LIMITS[role];
    if (descriptor.size > maximum)
      throw new LimitExceededError({ limit, maximum, actual: descriptor.size, subject: `${subject}: ${title}` });
    return { role, title, descriptor };
  });
}

/** Streams a blob into `ctx.tempDir`; the store verifies digest and size by the end of the stream. */
async function downloadFile(ctx: StrategyContext, store: ImageStore, layer: ArtifactLayer): Promise<PayloadFile> {
  const path = join(ctx.tempDir, `artifact-${process.pid}-${counter++}-${layer.title}`);
  await pipeline(store.openBlob(layer.descriptor, ctx.signal), createWriteStream(path, { mode: 0o600, flags: 'wx' }));
  return { name: layer.title, data: await lazyFileSource(path) };
}

/**
 * Checks the artifact's layout against its payload kind and extracts the
 * payload files into `ctx.tempDir`, each verified against its descriptor.
 * UKI: exactly one `uki` blob. BLS: one `kernel`, the `initrd`s, one `entry`
 * whose `linux`/`initrd` lines name exactly those blobs in that order, at
 * most one `os-release`. Anything else throws `PayloadFormatError`.
 */
export async function readArtifact(ctx: StrategyContext, store: ImageStore, candidate: ArtifactCandidate): Promise<BootPayload> {
  const subject = `${store.location}: artifact ${candidate.descriptor.digest}`;
  const fail = (reason: string): never => {
    throw new PayloadFormatError({ subject, reason });
  };
  const annotations = candidate.manifest.annotations ?? {};
  const kind = annotations[KEY_PAYLOAD_KIND];
  const kernelVersion = annotations[KEY_KERNEL_VERSION];
  const layers = checkLayers(candidate, subject);
  const byRole = (role: ArtifactRole) => layers.filter((l) => l.role === role);
  const count = (role: ArtifactRole) => byRole(role).length;

  if (kind === 'uki') {
    const [uki] = byRole('uki');
    if (!uki || layers.length !== 1)
      fail(`a uki payload must have exactly one layer, of role uki (found ${layers.map((l) => l.role).join(', ') || 'none'})`);
    return { kind: 'uki', uki: await downloadFile(ctx, store, uki!), ...(kernelVersion !== undefined ? { kernelVersion } : {}) };
  }
  if (kind !== 'bls') return fail(`annotation ${KEY_PAYLOAD_KIND} is ${JSON.stringify(kind)}, expected "uki" or "bls"`);
  if (count('uki') > 0) fail('a bls payload cannot carry a uki layer');
  if (count('kernel') !== 1 || count('entry') !== 1)
    fail(`a bls payload needs exactly one kernel and one entry layer (found ${count('kernel')} and ${count('entry')})`);
  if (count('os-release') > 1) fail('a bls payload carries at most one os-release layer');

  const entryLayer = byRole('entry')[0]!;
  const entry = parseArtifactEntry(
    await store.readBlob(entryLayer.descriptor, MAX_BLS_ENTRY_SIZE, ctx.signal),
    `${subject}: ${entryLayer.title}`,
  );
  const kernelLayer = byRole('kernel')[0]!;
  const initrdLayers = byRole('initrd');
  if (entry.linux !== kernelLayer.title)
    fail(`the entry boots ${JSON.stringify(entry.linux)} but the kernel layer is titled ${JSON.stringify(kernelLayer.title)}`);
  const initrdTitles = initrdLayers.map((l) => l.title);
  if (JSON.stringify(entry.initrds) !== JSON.stringify(initrdTitles)) {
    fail(`the entry's initrds ${JSON.stringify(entry.initrds)} are not the initrd layers in order ${JSON.stringify(initrdTitles)}`);
  }
  if (kernelVersion !== undefined && entry.version !== kernelVersion) {
    fail(
      `annotation ${KEY_KERNEL_VERSION} ${JSON.stringify(kernelVersion)} contradicts the entry's version ${JSON.stringify(entry.version)}`,
    );
  }
  const osReleaseLayer = byRole('os-release')[0];
  const osRelease = osReleaseLayer
    ? decodeText(await store.readBlob(osReleaseLayer.descriptor, MAX_ENV_FILE_SIZE, ctx.signal), `${subject}: ${osReleaseLayer.title}`)
    : undefined;
  const kernel = await downloadFile(ctx, store, kernelLayer);
  const initrds: PayloadFile[] = [];
  for (const layer of initrdLayers) initrds.push(await downloadFile(ctx, store, layer));
  return {
    kind: 'bls',
    kernel,
    initrds,
    options: entry.options,
    ...(entry.version !== undefined ? { kernelVersion: entry.version } : {}),
    ...(entry.title !== undefined ? { title: entry.title } : {}),
    ...(osRelease !== undefined ? { osRelease } : {}),
  };
}

function decodeText(bytes: Uint8Array, subject: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new PayloadFormatError({ subject, reason: 'is not valid UTF-8', cause });
  }
}
