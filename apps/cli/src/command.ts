import type { Readable, Writable } from 'node:stream';

/** One option of a command, as `node:util` `parseArgs` understands it, plus help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. `N` for `--max-version N`. */
  valueName?: string;
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** Parsed option values of a command with specs `O`. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean'
    ? O[K]['multiple'] extends true
      ? boolean[]
      : boolean
    : O[K]['multiple'] extends true
      ? string[]
      : string;
};

/** A progress reporter; a no-op unless stderr is a TTY and `--json` is off. */
export interface Progress {
  update(done: number, detail?: string): void;
  finish(summary?: string): void;
}

/** The process streams a command may use, injectable for tests. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Whether stderr is an interactive terminal (progress bars are drawn only then). */
  stderrIsTTY: boolean;
  /** Whether stdout is an interactive terminal (binary output to it is refused). */
  stdoutIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** What a command's `run` receives. */
export interface CommandContext<O extends OptionSpecs> {
  values: OptionValues<O>;
  positionals: string[];
  io: CliIo;
  /** `--json`: print one JSON document on stdout, no progress, no decoration. */
  json: boolean;
  verbose: boolean;
  signal: AbortSignal;
  /** Writes a line to stdout. */
  print(line: string): void;
  /** Writes a JSON document (pretty, with a trailing newline) to stdout. */
  printJson(value: unknown): void;
  /** Writes a diagnostic line to stderr (suppressed by nothing: use for warnings). */
  warn(line: string): void;
  /** Starts a progress reporter for `label`; `total` in the unit of `update`. */
  progress(label: string, total?: number, unit?: 'bytes' | 'items'): Progress;
}

/** A CLI command; names with a space are subcommands (`composefs-info dump`). */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  name: string;
  summary: string;
  /** Usage line without the leading `metalayer `. */
  usage: string;
  description?: string;
  options: O;
  /** Allowed number of positional arguments. */
  positionals: { min: number; max: number };
  examples: string[];
  /** Returns the exit code (default 0). */
  run(ctx: CommandContext<O>): Promise<number | void>;
}

/** Identity helper that keeps option types precise. */
export function defineCommand<O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}
