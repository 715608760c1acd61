import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import {
  verifyPayload,
  type BootPayload,
  type ComposefsDigestSpec,
  type Descriptor,
  type ImageLocation,
  type StrategyRegistry,
} from '@metalayer/core';
import { copyImage, MediaType, openLayout } from '@metalayer/oci';
import { createVerifyDependencies } from '@metalayer/strategy-kit';
import { tagImage } from '../tag-image';
import { withTempDir } from '../temp-dir';

/** One strategy's row of the comparison table. */
export interface StrategyComparison {
  strategy: string;
  /** The image manifest users deploy: a new one, or the original. */
  image: string;
  imageDigestChanged: boolean;
  /** Image layers added (artifact payload blobs are not image layers). */
  layersAdded: number;
  /** Image manifests and artifact manifests added. */
  manifestsAdded: number;
  bytesAdded: number;
  /** Bytes a machine that already has the base image fetches to install the kernel (manifest, config, payload blobs). */
  bytesToInstallKernel: number;
  /** `hidden` or `visible in /boot` (what `umoci unpack`/podman show). */
  containerView: 'hidden' | 'visible in /boot';
  /** Whether a registry without the referrers API works (the artifact strategy then uses the fallback tag). */
  referrers: 'not needed' | 'API or fallback tag';
  composefsDigest: string;
  verified: boolean;
  attachMs: number;
  verifyMs: number;
}

const isLayer = (d: Descriptor) => d.mediaType.includes('.layer.') || d.mediaType.includes('rootfs.diff');
const isManifest = (d: Descriptor) => d.mediaType === MediaType.imageManifest || d.mediaType === MediaType.imageIndex;

/**
 * Attaches `payload` to `image` with every strategy that carries its kind,
 * each in its own scratch copy of the image under `workDir`, then locates and
 * verifies it; returns one row per strategy. The source image is never written.
 */
export async function compareStrategies(options: {
  registry: StrategyRegistry;
  image: ImageLocation;
  payload: BootPayload;
  digest: ComposefsDigestSpec;
  workDir: string;
  signal?: AbortSignal;
  onStrategy?: (name: string) => void;
}): Promise<StrategyComparison[]> {
  const { registry, payload, digest, workDir } = options;
  const baseDir = join(workDir, 'base');
  const baseStore = await openLayout(baseDir, { create: true });
  const copied = await copyImage(options.image.store, options.image.reference, baseStore, {
    tag: 'base',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const baseDigest = copied.manifest.digest;
  const deps = createVerifyDependencies();
  const rows: StrategyComparison[] = [];
  // Extracted and sealed payload files go to a scratch directory, not next to the layouts.
  await withTempDir(async (tempDir) => {
    for (const strategy of registry.list()) {
      if (!strategy.capabilities.payloadKinds.includes(payload.kind)) continue;
      options.onStrategy?.(strategy.name);
      const dir = join(workDir, strategy.name);
      await cp(baseDir, dir, { recursive: true });
      const store = await openLayout(dir);
      const ctx = { tempDir, ...(options.signal ? { signal: options.signal } : {}) };
      let t = performance.now();
      const result = await strategy.attach(ctx, { image: { store, reference: 'base' }, tag: 'attached', payload, digest });
      const attachMs = performance.now() - t;
      await tagImage(store, result.image.digest, 'attached');
      t = performance.now();
      const located = await strategy.locate(ctx, { store, reference: result.image.digest });
      const report = await verifyPayload(ctx, store, located, deps);
      const verifyMs = performance.now() - t;
      const origin = located.origin.kind === 'layer' ? [located.origin.layer] : located.origin.blobs;
      const manifests = result.added.filter(isManifest);
      const configs = result.added.filter((d) => d.mediaType === MediaType.imageConfig);
      rows.push({
        strategy: strategy.name,
        image: result.image.digest,
        imageDigestChanged: result.image.digest !== baseDigest,
        layersAdded: result.added.filter(isLayer).length,
        manifestsAdded: manifests.length,
        bytesAdded: result.added.reduce((n, d) => n + d.size, 0),
        bytesToInstallKernel: [...manifests, ...configs, ...origin].reduce((n, d) => n + d.size, 0),
        containerView: strategy.capabilities.hidesKernelFromContainer ? 'hidden' : 'visible in /boot',
        referrers: strategy.capabilities.needsReferrers ? 'API or fallback tag' : 'not needed',
        composefsDigest: result.composefsDigest.hex,
        verified: report.ok,
        attachMs,
        verifyMs,
      });
    }
  });
  return rows;
}

/** The comparison as an aligned text table, one column per strategy. */
export function formatComparison(rows: readonly StrategyComparison[]): string[] {
  const kb = (n: number) => (n < 10 << 10 ? `${n} B` : n < 10 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`);
  const lines: string[][] = [
    ['', ...rows.map((r) => r.strategy)],
    ['image digest changed', ...rows.map((r) => (r.imageDigestChanged ? 'yes' : 'no'))],
    ['image layers added', ...rows.map((r) => String(r.layersAdded))],
    ['manifests added', ...rows.map((r) => String(r.manifestsAdded))],
    ['bytes added', ...rows.map((r) => kb(r.bytesAdded))],
    ['fetch to install kernel', ...rows.map((r) => kb(r.bytesToInstallKernel))],
    ['container view', ...rows.map((r) => r.containerView)],
    ['referrers', ...rows.map((r) => r.referrers)],
    ['verify', ...rows.map((r) => (r.verified ? `ok (${(r.verifyMs / 1000).toFixed(2)} s)` : 'FAILED'))],
  ];
  const widths = lines.reduce<number[]>((w, l) => l.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return lines.map((l) =>
    l
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}
