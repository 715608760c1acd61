export { main } from './cli';
export { ExitCode, exitCodeFor } from './exit-codes';
export type { Command, CommandContext, CliIo, OptionSpec, OptionSpecs } from './command';
