import { describe, expect, it } from 'vitest';
import { PlatformNotFoundError } from './errors/index';
import { parsePlatform, selectPlatform } from './platform';
import type { Descriptor } from '@metalayer/core';

const d = (n: string, os: string, architecture: string, variant?: string): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${n.repeat(64)}`,
  size: 1,
  platform: variant ? { os, architecture, variant } : { os, architecture },
});

describe('selectPlatform', () => {
  const entries = [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 1 },
    d('1', 'linux', 'arm', 'v7'),
    d('2', 'linux', 'arm64'),
    d('3', 'linux', 'amd64'),
  ];
  it('defaults to linux/amd64 and skips entries without platform', () => {
    expect(selectPlatform(entries).digest).toBe(entries[3]!.digest);
  });
  it('matches variants, with arm64 implying v8', () => {
    expect(selectPlatform(entries, parsePlatform('linux/arm/v7')).digest).toBe(entries[1]!.digest);
    expect(selectPlatform(entries, parsePlatform('linux/arm64/v8')).digest).toBe(entries[2]!.digest);
  });
  it('names the available platforms when none matches', () => {
    expect(() => selectPlatform(entries, parsePlatform('linux/s390x'))).toThrowError(
      /available: linux\/arm\/v7, linux\/arm64, linux\/amd64/,
    );
    try {
      selectPlatform(entries, parsePlatform('linux/arm/v6'));
    } catch (e) {
      expect(PlatformNotFoundError.isInstance(e)).toBe(true);
    }
  });
  it('rejects malformed platforms', () => {
    expect(() => parsePlatform('linux')).toThrowError(/expected os\/arch/);
  });
});
