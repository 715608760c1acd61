import { describe, expect, it } from 'vitest';
import type { ImageStore, ResolvedImage } from '../image/image-store';
import type { ComposefsDigestSpec, ComposefsDigestValue } from './composefs-digest';
import type { LocatedPayload } from './meta-layer-strategy';
import { verifyPayload, type NamedComposefsDigest, type VerifyDependencies } from './verify-payload';

const image = {
  descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + 'ab'.repeat(32), size: 1 },
} as ResolvedImage;
const located: LocatedPayload = {
  strategy: 'test',
  image,
  payload: { kind: 'uki', uki: { name: 'x.efi', data: { size: 0, read: async () => new Uint8Array() } } },
  origin: { kind: 'artifact', manifest: image.descriptor, blobs: [] },
  claims: { hint: 'never trusted' },
};
const store = { location: 'oci:test' } as ImageStore;
const ctx = { tempDir: '/tmp' };
const truth: Record<string, string> = {
  'sha512/1': 'a1'.repeat(64),
  'sha512/0': 'a0'.repeat(64),
  'sha256/1': 'b1'.repeat(32),
  'sha256/0': 'b0'.repeat(32),
};

function deps(named: NamedComposefsDigest[], calls: ComposefsDigestSpec[][] = []): VerifyDependencies {
  return {
    readComposefsDigests: async () => named,
    computeBootableDigests: async (_c, _s, _i, specs) => {
      calls.push([...specs]);
      return specs.map((s): ComposefsDigestValue => ({ ...s, hex: truth[`${s.algorithm}/${s.erofsVersion}`]! }));
    },
  };
}
const arg = (hex: string, extra: Partial<NamedComposefsDigest> = {}): NamedComposefsDigest => ({
  text: `composefs.digest=v1-sha512-12:${hex}`,
  algorithm: 'sha512',
  hex,
  format: 'v1',
  insecure: false,
  ...extra,
});

describe('verifyPayload', () => {
  it('passes when every named digest equals the recomputed one, computing each spec once', async () => {
    const calls: ComposefsDigestSpec[][] = [];
    const report = await verifyPayload(ctx, store, located, deps([arg(truth['sha512/1']!)], calls));
    expect(report.ok).toBe(true);
    expect(report.matched).toEqual({ algorithm: 'sha512', erofsVersion: 1, hex: truth['sha512/1'] });
    expect(calls).toEqual([
      [
        { algorithm: 'sha512', erofsVersion: 1 },
        { algorithm: 'sha512', erofsVersion: 0 },
      ],
    ]);
  });

  it('accepts a digest of the format-0 image too (the karg form is the same)', async () => {
    const report = await verifyPayload(ctx, store, located, deps([arg(truth['sha512/0']!)]));
    expect(report.ok).toBe(true);
    expect(report.matched?.erofsVersion).toBe(0);
  });

  it('fails on a wrong digest and names both values', async () => {
    const report = await verifyPayload(ctx, store, located, deps([arg('ff'.repeat(64))]));
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toContain('ff'.repeat(64));
    expect(report.problems[0]).toContain(truth['sha512/1']);
  });

  it('fails without any composefs argument, on V2 digests, and on the insecure form unless allowed', async () => {
    expect((await verifyPayload(ctx, store, located, deps([]))).problems).toEqual(['the command line names no composefs digest']);
    const v2 = await verifyPayload(ctx, store, located, deps([arg(truth['sha512/1']!, { format: 'v2', text: 'composefs=x' })]));
    expect(v2.ok).toBe(false);
    const insecure = [arg(truth['sha512/1']!, { insecure: true })];
    expect((await verifyPayload(ctx, store, located, deps(insecure))).ok).toBe(false);
    expect((await verifyPayload(ctx, store, located, deps(insecure), { allowInsecure: true })).ok).toBe(true);
  });

  it('accepts several arguments naming the same root (sha256 and sha512), and fails if any one is wrong', async () => {
    const sha256 = (hex: string) => arg(hex, { algorithm: 'sha256', text: `composefs.digest=v1-sha256-12:${hex}` });
    const both = [arg(truth['sha512/1']!), sha256(truth['sha256/1']!)];
    expect((await verifyPayload(ctx, store, located, deps(both))).ok).toBe(true);
    const oneWrong = [arg(truth['sha512/1']!), sha256('00'.repeat(32))];
    const report = await verifyPayload(ctx, store, located, deps(oneWrong));
    expect(report.ok).toBe(false);
    expect(report.problems.join()).toContain('00'.repeat(32));
  });
});
