import type { Command } from '../command';
import { attachCommand } from './attach';
import { compareCommand } from './compare';
import { composefsInfoDumpCommand } from './composefs-info-dump';
import { composefsInfoMeasureFileCommand } from './composefs-info-measure-file';
import { computeIdCommand } from './compute-id';
import { copyCommand } from './copy';
import { demoCommand } from './demo';
import { deployCommand } from './deploy';
import { dumpCommand } from './dump';
import { inspectCommand } from './inspect';
import { installKernelCommand } from './install-kernel';
import { locateCommand } from './locate';
import { mkcomposefsCommand } from './mkcomposefs';
import { verifyCommand } from './verify';

/**
 * Every `metalayer` command, in the order `metalayer --help` lists them:
 * the product's workflow first, then the composefs tools.
 * A hand-written list: no filesystem scanning, no dynamic loading.
 */
export const commands: readonly Command[] = [
  demoCommand,
  attachCommand,
  locateCommand,
  verifyCommand,
  inspectCommand,
  compareCommand,
  installKernelCommand,
  deployCommand,
  computeIdCommand,
  dumpCommand,
  copyCommand,
  mkcomposefsCommand,
  composefsInfoDumpCommand,
  composefsInfoMeasureFileCommand,
];
