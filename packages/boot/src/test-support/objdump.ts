import { run } from '@metalayer/test-utils';

/** A section as `objdump -h` prints it. */
export interface ObjdumpSection {
  name: string;
  size: number;
  vma: number;
  fileOffset: number;
  flags: string[];
}

/** Runs `objdump -h` (binutils) and parses its section table. */
export function objdumpSections(path: string): ObjdumpSection[] {
  const out = run('objdump', ['-h', path]).stdout.toString();
  const lines = out.split('\n');
  const sections: ObjdumpSection[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+2\*\*\d+\s*$/.exec(lines[i]!);
    if (!m) continue;
    const flags = (lines[i + 1] ?? '').trim().split(/,\s*/).filter(Boolean);
    sections.push({ name: m[1]!, size: parseInt(m[2]!, 16), vma: parseInt(m[3]!, 16), fileOffset: parseInt(m[4]!, 16), flags });
  }
  return sections;
}

/** `objdump -p` fields (SizeOfImage, SectionAlignment, ...) as numbers. */
export function objdumpPrivate(path: string): Record<string, number> {
  const out = run('objdump', ['-p', path]).stdout.toString();
  const fields: Record<string, number> = {};
  for (const m of out.matchAll(
    /^(SizeOfImage|SizeOfHeaders|SectionAlignment|FileAlignment|CheckSum|SizeOfInitializedData|Subsystem)\s+([0-9a-f]+)/gm,
  )) {
    fields[m[1]!] = parseInt(m[2]!, 16);
  }
  return fields;
}
