import type { Command, OptionSpecs } from './command';

/** Global options every command accepts. */
export const globalOptions: OptionSpecs = {
  help: { type: 'boolean', short: 'h', description: 'Show help for the command and exit.' },
  json: { type: 'boolean', description: 'Print one JSON document on stdout (no progress, no decoration).' },
  verbose: { type: 'boolean', short: 'v', description: 'On errors, show the cause chain and stack.' },
};

function optionLines(options: OptionSpecs): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    return [flag, spec.description + (spec.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(0, ...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

/** Help text for one command. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: metalayer ${command.usage}`, '', command.summary];
  if (command.description) lines.push('', command.description.trim());
  const own = optionLines(command.options);
  if (own.length) lines.push('', 'Options:', ...own);
  lines.push('', 'Global options:', ...optionLines(globalOptions));
  if (command.examples.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

/** Help text for `metalayer --help`. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: metalayer <command> [options]',
    '',
    'Make OCI container images bootable and verified with composefs.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'metalayer <command> --help' for a command's options and examples.",
    '',
  ].join('\n');
}
