import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * What depmod wrote for one kernel: hard dependencies (`modules.dep`), soft
 * pre-dependencies (`modules.softdep`), aliases (`modules.alias`) and the
 * built-in list (`modules.builtin`), keyed by module name (`-` folded to `_`).
 */
export interface ModuleIndex {
  /** Module name → path relative to the modules directory. */
  paths: Map<string, string>;
  /** Module name → hard dependencies in modules.dep order (the last is loaded first). */
  deps: Map<string, string[]>;
  /** Module name → `softdep … pre:` names or aliases. */
  softPre: Map<string, string[]>;
  /** Alias → module names providing it. */
  aliases: Map<string, string[]>;
  /** Names of modules compiled into the kernel image. */
  builtin: Set<string>;
}

/** Canonical module name of `kernel/fs/ext4/ext4.ko.xz` or `crc32c-generic`. */
export function moduleName(pathOrName: string): string {
  return basename(pathOrName)
    .replace(/\.ko(\.(xz|zst|gz))?$/, '')
    .replaceAll('-', '_');
}

function readLines(path: string, optional = false): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Reads the depmod output under `modulesDir` (`…/lib/modules/<kver>`). */
export function readModuleIndex(modulesDir: string): ModuleIndex {
  const paths = new Map<string, string>();
  const deps = new Map<string, string[]>();
  for (const line of readLines(join(modulesDir, 'modules.dep'))) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const path = line.slice(0, colon);
    const name = moduleName(path);
    paths.set(name, path);
    deps.set(
      name,
      line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(moduleName),
    );
  }
  const softPre = new Map<string, string[]>();
  for (const line of readLines(join(modulesDir, 'modules.softdep'), true)) {
    // "softdep ext4 pre: crypto-crc32c post: …"
    const m = /^softdep\s+(\S+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const pre: string[] = [];
    let inPre = false;
    for (const word of m[2]!.split(/\s+/)) {
      if (word.endsWith(':')) inPre = word === 'pre:';
      else if (inPre) pre.push(word);
    }
    softPre.set(moduleName(m[1]!), pre);
  }
  const aliases = new Map<string, string[]>();
  for (const line of readLines(join(modulesDir, 'modules.alias'), true)) {
    const m = /^alias\s+(\S+)\s+(\S+)$/.exec(line.trim());
    if (!m) continue;
    const list = aliases.get(m[1]!) ?? [];
    list.push(moduleName(m[2]!));
    aliases.set(m[1]!, list);
  }
  const builtin = new Set(readLines(join(modulesDir, 'modules.builtin'), true).filter(Boolean).map(moduleName));
  return { paths, deps, softPre, aliases, builtin };
}

/**
 * Resolves a soft dependency (a module name or an alias such as `crypto-crc32c`)
 * to one module. Several modules may provide an alias (`crc32c_intel`,
 * `crc32c_generic`): the `_generic` one is preferred because accelerated variants
 * need CPU features that QEMU's default TCG CPU lacks.
 */
function resolveSoft(index: ModuleIndex, nameOrAlias: string): string | undefined {
  const direct = moduleName(nameOrAlias);
  if (index.builtin.has(direct)) return undefined;
  if (index.paths.has(direct)) return direct;
  const providers = index.aliases.get(nameOrAlias) ?? index.aliases.get(direct) ?? [];
  if (providers.some((p) => index.builtin.has(p))) return undefined;
  const available = providers.filter((p) => index.paths.has(p));
  return available.find((p) => p.endsWith('_generic')) ?? available[0];
}

/**
 * The modules to load for `wanted`, in load order: each module after its
 * `softdep pre:` modules and its hard dependencies, each at most once.
 * Built-in modules are skipped; a wanted module that is neither built in nor
 * present is an error (the kernel package does not match what the boot needs).
 */
export function resolveLoadOrder(index: ModuleIndex, wanted: readonly string[]): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, chain: string[]): void => {
    if (order.includes(name) || index.builtin.has(name)) return;
    if (!index.paths.has(name)) {
      throw new Error(`kernel module ${name} (needed by ${chain.join(' → ') || 'the e2e boot'}) is neither built in nor in modules.dep`);
    }
    if (visiting.has(name)) return; // depmod never emits cycles; be safe
    visiting.add(name);
    for (const soft of index.softPre.get(name) ?? []) {
      const resolved = resolveSoft(index, soft);
      if (resolved) visit(resolved, [...chain, name]);
    }
    // modules.dep lists dependencies so that the last one must be loaded first.
    for (const dep of [...(index.deps.get(name) ?? [])].reverse()) visit(dep, [...chain, name]);
    visiting.delete(name);
    order.push(name);
  };
  for (const name of wanted) visit(moduleName(name), []);
  return order;
}
