import { METALAYER_KEY_PREFIX } from '@metalayer/strategy-kit';

/** Registry key and CLI name of this strategy. */
export const STRATEGY_NAME = 'kernel-layer';

/**
 * Config label naming the kernel layer by its diff_id. Together with the
 * layer descriptor's role annotation it marks the layer; both must agree.
 */
export const KEY_KERNEL_LAYER = `${METALAYER_KEY_PREFIX}kernel-layer.diff-id`;

/** Value of the kit's `KEY_LAYER_ROLE` annotation on the kernel layer's descriptor. */
export const KERNEL_LAYER_ROLE = 'kernel';
