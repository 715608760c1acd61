import { InvalidArgumentError } from '@metalayer/core';
import { PlatformNotFoundError } from './errors/index';
import type { Descriptor, Platform } from '@metalayer/core';

/** The platform picked from an image index when none is asked for. */
export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/** Parses `os/arch[/variant]` (e.g. `linux/arm64/v8`). */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
    throw new InvalidArgumentError({
      argument: '--platform',
      value: text,
      message: `invalid platform "${text}": expected os/arch[/variant]`,
    });
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Formats a platform as `os/arch[/variant]`. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** The variant an architecture implies when an index entry omits it (containerd's normalisation). */
function normalVariant(p: Platform): string | undefined {
  if (p.variant) return p.variant;
  if (p.architecture === 'arm64') return 'v8';
  return undefined;
}

/**
 * Picks the manifest for `wanted` from an index's entries: os and architecture
 * must match; a requested variant must match; without one, an entry without
 * variant wins over one with. Entries without `platform` (attestations, artifacts) never match.
 */
export function selectPlatform(manifests: readonly Descriptor[], wanted: Platform = DEFAULT_PLATFORM): Descriptor {
  const candidates = manifests.filter((m) => m.platform && m.platform.os === wanted.os && m.platform.architecture === wanted.architecture);
  const wantVariant = normalVariant(wanted);
  const exact = candidates.filter((m) => normalVariant(m.platform as Platform) === wantVariant);
  const hit = exact[0] ?? (wanted.variant ? undefined : candidates[0]);
  if (!hit) {
    throw new PlatformNotFoundError({
      platform: formatPlatform(wanted),
      available: manifests.filter((m) => m.platform).map((m) => formatPlatform(m.platform as Platform)),
    });
  }
  return hit;
}
