import type { Command } from '../command';
import { copyCommand } from './copy';
import { mkcomposefsCommand } from './mkcomposefs';
import { composefsInfoDumpCommand } from './composefs-info-dump';
import { composefsInfoMeasureFileCommand } from './composefs-info-measure-file';
import { computeIdCommand } from './compute-id';
import { dumpCommand } from './dump';
import { deployCommand } from './deploy';

/**
 * Every `metalayer` command, in the order `metalayer --help` lists them.
 * A hand-written list: no filesystem scanning, no dynamic loading.
 */
export const commands: readonly Command[] = [
  copyCommand,
  mkcomposefsCommand,
  composefsInfoDumpCommand,
  composefsInfoMeasureFileCommand,
  computeIdCommand,
  dumpCommand,
  deployCommand,
];
