// Test support: mounting an image with the running kernel's EROFS driver, an
// oracle independent of erofs-utils. Needs root, loop devices and erofs.
import { canLoopMount, withLoopMount } from '@metalayer/test-utils';
import { writeErofsImage } from '../erofs/write-image';
import { createDirectory } from '../tree/create';

/** Whether `mount -t erofs -o loop` works here (probed once with a tiny image). */
export function canMountErofs(): boolean {
  return canLoopMount('erofs', () => writeErofsImage(createDirectory()));
}

/** Mounts `image` read-only at `mountPoint`, runs `fn`, and always unmounts. */
export function withMountedImage<T>(image: string, mountPoint: string, fn: () => T): T {
  return withLoopMount('erofs', image, mountPoint, fn);
}
