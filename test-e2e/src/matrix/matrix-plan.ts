/** The strategies `metalayer attach --strategy` offers; the matrix seals the tiny OS with each. */
export const STRATEGIES = ['hidden-whiteout', 'kernel-layer', 'artifact'] as const;
/** One of {@link STRATEGIES}. */
export type StrategyName = (typeof STRATEGIES)[number];

/** A UKI (`attach --stub`, installed as a Type #2 entry) or a BLS Type #1 kernel + initrd. */
export type PayloadKind = 'uki' | 'bls';

/** How the sealed image reaches `$BOOT` and the composefs repository. */
export interface VariantPlan {
  /** `<strategy>-<kind>`, also the name of its layout, boot root and boot. */
  id: string;
  strategy: StrategyName;
  kind: PayloadKind;
  /** The source image (a tag of the images layout): one per strategy, so every strategy has its own digest. */
  imageName: string;
  /** Copy the sealed image to the docker-registry and back (`copy --referrers`) before anything reads it. */
  viaRegistry: boolean;
  /** `deploy`: `metalayer deploy --bootable`, then `install-kernel`; `install-kernel --repo`: both in one command; `none`: never deployed. */
  deploy: 'deploy' | 'install-kernel --repo' | 'none';
}

function plan(strategy: StrategyName, kind: PayloadKind, extra: Partial<VariantPlan> = {}): VariantPlan {
  return { id: `${strategy}-${kind}`, strategy, kind, imageName: strategy, viaRegistry: false, deploy: 'deploy', ...extra };
}

/**
 * The sealed variants: 3 strategies × {UKI, BLS}. The artifact UKI travels through
 * the registry (its kernel is a referrer, so this exercises `copy --referrers`
 * and docker-registry 2.8's fallback tag); the kernel-layer UKI is deployed by
 * `install-kernel --repo`.
 */
export const MATRIX_VARIANTS: readonly VariantPlan[] = [
  plan('hidden-whiteout', 'uki'),
  plan('hidden-whiteout', 'bls'),
  plan('kernel-layer', 'uki', { deploy: 'install-kernel --repo' }),
  plan('kernel-layer', 'bls'),
  plan('artifact', 'uki', { viaRegistry: true }),
  plan('artifact', 'bls'),
];

/** The image of the negative boot: sealed and installed, but never deployed into the repository. */
export const ABSENT_VARIANT: VariantPlan = plan('hidden-whiteout', 'uki', { id: 'absent-uki', imageName: 'absent', deploy: 'none' });

/** Every image the matrix writes into its images layout. */
export const MATRIX_IMAGE_NAMES: readonly string[] = [...STRATEGIES, ABSENT_VARIANT.imageName];
