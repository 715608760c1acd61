/**
 * Rules and hard limits of the OCI → composefs conversion, named as
 * composefs-rs names them where it has them.
 */

/**
 * Regular files up to this size are stored inline in the image; larger ones
 * become external objects named by their fs-verity digest
 * (composefs-rs `INLINE_CONTENT_MAX_V0`; changing it changes every digest).
 */
export const INLINE_CONTENT_MAX = 64;
/** Largest `/etc/selinux/config` read to find the policy type (a few hundred bytes in practice). */
export const MAX_SELINUX_CONFIG_SIZE = 1 << 20;
/** Largest device number composefs stores (EROFS `i_u` is 32 bits; composefs-rs refuses more). */
export const MAX_RDEV = 0xffff_ffff;
/** Object writes (deploy) allowed to wait for their digest at once, each holding an open file. */
export const MAX_PENDING_OBJECTS = 64;
