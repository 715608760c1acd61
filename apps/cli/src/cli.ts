import { parseArgs } from 'node:util';
import { InvalidArgumentError, MetalayerError } from '@metalayer/core';
import type { CliIo, Command, CommandContext, OptionSpecs, OptionValues } from './command';
import { commands } from './commands/index';
import { ExitCode, exitCodeFor } from './exit-codes';
import { commandHelp, globalOptions, mainHelp } from './help';
import { createProgress } from './progress';

function defaultIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Finds the command named by the longest prefix of `argv` (`composefs-info dump` before `composefs-info`). */
function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.command.name.split(' ').length)) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

function describeError(error: unknown, verbose: boolean): string[] {
  const lines: string[] = [];
  const message = error instanceof Error ? error.message : String(error);
  lines.push(`metalayer: error: ${message}`);
  if (MetalayerError.isInstance(error) && error.hint) lines.push(`  hint: ${error.hint}`);
  if (verbose) {
    let cause = error instanceof Error ? error.cause : undefined;
    while (cause !== undefined) {
      lines.push(`  caused by: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    if (error instanceof Error && error.stack) lines.push(error.stack);
  } else if (!MetalayerError.isInstance(error)) {
    lines.push('  (run with --verbose for details)');
  }
  return lines;
}

function errorJson(error: unknown): unknown {
  if (!(error instanceof Error)) return { error: { message: String(error) } };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error)) {
    if (k !== 'cause' && typeof v !== 'function') fields[k] = typeof v === 'bigint' ? v.toString() : v;
  }
  return { error: { name: error.name, message: error.message, ...fields } };
}

/**
 * Runs the `metalayer` command line and returns the process exit code.
 * Every error is turned into one clear line (plus a hint) and an exit code here.
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    const target = argv[0] === 'help' ? findCommand(argv.slice(1)) : undefined;
    io.stdout.write(target ? commandHelp(target.command) : mainHelp(commands));
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  if (argv[0] === '--version') {
    io.stdout.write(`metalayer ${process.env.METALAYER_VERSION ?? '0.0.0'}\n`);
    return ExitCode.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    io.stderr.write(`metalayer: error: unknown command '${argv[0]}'\n  hint: run 'metalayer --help' for the list\n`);
    return ExitCode.usage;
  }
  const { command, rest } = found;
  const wantsJson = rest.includes('--json');
  const verbose = rest.includes('--verbose') || rest.includes('-v');
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  try {
    const options = { ...command.options, ...globalOptions } as OptionSpecs;
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new InvalidArgumentError({
        argument: command.name,
        message: (error as Error).message,
        hint: `run 'metalayer ${command.name} --help'`,
        cause: error,
      });
    }
    const values = parsed.values as OptionValues<OptionSpecs> & { help?: boolean; json?: boolean };
    if (values.help) {
      io.stdout.write(commandHelp(command));
      return ExitCode.ok;
    }
    const { min, max } = command.positionals;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new InvalidArgumentError({
        argument: command.name,
        value: parsed.positionals,
        message: `expected ${min === max ? min : `${min} to ${max}`} argument(s), got ${parsed.positionals.length}`,
        hint: `usage: metalayer ${command.usage}`,
      });
    }
    const json = Boolean(values.json);
    const ctx: CommandContext<OptionSpecs> = {
      values,
      positionals: parsed.positionals,
      io,
      json,
      verbose,
      signal: controller.signal,
      print: (line) => io.stdout.write(`${line}\n`),
      printJson: (value) => io.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`),
      warn: (line) => io.stderr.write(`metalayer: ${line}\n`),
      progress: (label, total, unit = 'bytes') => createProgress(io.stderr, io.stderrIsTTY && !json, label, total, unit),
    };
    return (await command.run(ctx)) ?? ExitCode.ok;
  } catch (error) {
    if (wantsJson) io.stdout.write(`${JSON.stringify(errorJson(error), null, 2)}\n`);
    io.stderr.write(`${describeError(error, verbose).join('\n')}\n`);
    return exitCodeFor(error);
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
