import type { Command } from '../command';
import { copyCommand } from './copy';

/**
 * Every `metalayer` command, in the order `metalayer --help` lists them.
 * A hand-written list: no filesystem scanning, no dynamic loading.
 */
export const commands: readonly Command[] = [
  copyCommand,
];
