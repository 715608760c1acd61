// Test-only image builders (excluded from the build by tsconfig).
import type { Descriptor, ImageStore } from '@metalayer/core';
import { encodeJson, MediaType, openLayout, putLayer, resolveImage, utf8ToByteString, type TarWriteEntry } from '@metalayer/oci';
import { appendLayers, KEY_LAYER_ROLE, KEY_STRATEGY } from '@metalayer/strategy-kit';
import { KERNEL_LAYER_ROLE, KEY_KERNEL_LAYER, STRATEGY_NAME } from '../labels';

export const T0 = 1_700_000_000;
const enc = new TextEncoder();

export const dir = (name: string, extra: Partial<TarWriteEntry> = {}): TarWriteEntry => ({
  name: `${name}/`,
  type: 'directory',
  mode: 0o755,
  mtime: T0,
  ...extra,
});
export const file = (name: string, body: string | Uint8Array, extra: Partial<TarWriteEntry> = {}): TarWriteEntry => ({
  name: utf8ToByteString(name),
  type: 'file',
  mode: 0o644,
  mtime: T0,
  body: typeof body === 'string' ? enc.encode(body) : body,
  ...extra,
});

/** A minimal bootable tree: /usr (with os-release), /boot, /sysroot, /etc. */
export const osLayer = (options: { boot?: boolean; sysroot?: boolean } = {}): TarWriteEntry[] => [
  dir('usr', { mtime: T0 + 1 }),
  dir('usr/lib', { mtime: T0 + 2 }),
  file('usr/lib/os-release', 'ID=test\nPRETTY_NAME="Test OS"\n'),
  dir('etc', { mtime: T0 + 3 }),
  file('etc/hostname', 'test\n'),
  ...(options.boot === false ? [] : [dir('boot', { mtime: T0 + 4 })]),
  ...(options.sysroot === false ? [] : [dir('sysroot', { mtime: T0 + 5 })]),
];

/** Writes an image of `layers` (plain tar) tagged `tag` into the layout at `layoutDir`. */
export async function writeImage(
  layoutDir: string,
  layers: TarWriteEntry[][],
  tag = 'base',
): Promise<{ store: ImageStore; manifest: Descriptor }> {
  const store = await openLayout(layoutDir, { create: true });
  const written = [];
  for (const entries of layers) written.push(await putLayer(store, entries, { compression: 'none' }));
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: written.map((l) => l.diffId) },
    history: written.map((_, i) => ({ created_by: `test layer ${i}` })),
  };
  const configBlob = await store.putBlob(encodeJson(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.imageManifest,
    config: { mediaType: MediaType.imageConfig, ...configBlob },
    layers: written.map((l) => l.descriptor),
  };
  return { store, manifest: await store.putManifest(encodeJson(manifest), { tag }) };
}

/** How a hand-made kernel layer is marked. */
export interface HandMadeMarks {
  /** Config label naming the layer: its own diff_id (default), another value, or none. */
  readonly label?: 'own' | 'none' | string;
  /** Role annotation on the layer descriptor (default true). */
  readonly annotate?: boolean;
  readonly strategy?: string;
  /** Layers added above the kernel layer. */
  readonly above?: TarWriteEntry[][];
}

/** Adds a hand-made "kernel layer" of `entries` on top of `reference`, marked as `marks` says; returns the new manifest. */
export async function addHandMadeLayer(
  store: ImageStore,
  reference: string,
  entries: TarWriteEntry[],
  marks: HandMadeMarks = {},
  tag = 'handmade',
): Promise<Descriptor> {
  const base = await resolveImage(store, reference);
  const annotate = marks.annotate ?? true;
  const kernel = await putLayer(store, entries, {
    compression: 'none',
    ...(annotate ? { annotations: { [KEY_LAYER_ROLE]: KERNEL_LAYER_ROLE } } : {}),
  });
  const above = [];
  for (const layer of marks.above ?? []) above.push(await putLayer(store, layer, { compression: 'none' }));
  const label = marks.label ?? 'own';
  const labels: Record<string, string> = { [KEY_STRATEGY]: marks.strategy ?? STRATEGY_NAME };
  if (label !== 'none') labels[KEY_KERNEL_LAYER] = label === 'own' ? kernel.diffId : label;
  const appended = await appendLayers(store, base, {
    layers: [kernel, ...above].map((l) => ({ descriptor: l.descriptor, diffId: l.diffId, createdBy: 'hand-made' })),
    labels,
    tag,
  });
  return appended.manifest;
}
