import { resolve } from 'node:path';
import { once } from 'node:events';
import {
  analyzeLeaves,
  escapeDumpfileField,
  fullModeOf,
  readErofsImageFile,
  erofsImageDumpLines,
  toHex,
  walkTree,
  type ErofsImage,
} from '@metalayer/composefs';
import { defineCommand } from '../command';

/** One entry of `composefs-info dump --json`; byte strings are dumpfile-escaped, byte values hex. */
function jsonEntries(image: ErofsImage): unknown[] {
  const leaves = analyzeLeaves(image.tree);
  const out: unknown[] = [];
  for (const { path, name, parent, inode } of walkTree(image.tree)) {
    const entry: Record<string, unknown> = {
      path: escapeDumpfileField(path),
      type: inode.kind,
      mode: fullModeOf(inode).toString(8),
      uid: inode.stat.uid,
      gid: inode.stat.gid,
      mtime: `${inode.stat.mtimeSec}.${inode.stat.mtimeNsec}`,
      xattrs: Object.fromEntries(
        [...inode.stat.xattrs.keys()].sort().map((k) => [escapeDumpfileField(k, { equal: true }), toHex(inode.stat.xattrs.get(k)!)]),
      ),
    };
    if (inode.kind === 'directory') {
      entry.size = image.directorySizes.get(inode) ?? 0;
    } else {
      const info = leaves.get(inode)!;
      if (info.parent !== parent || info.name !== name) entry.hardLinkTo = escapeDumpfileField(info.path);
      entry.nlink = inode.nlink;
      if (inode.kind === 'regular') {
        entry.size = inode.size;
        if (inode.content) entry.content = toHex(inode.content);
        if (inode.payload) entry.payload = escapeDumpfileField(inode.payload);
        if (inode.digest) entry.digest = toHex(inode.digest);
      } else if (inode.kind === 'symlink') {
        entry.target = escapeDumpfileField(inode.target);
      } else if (inode.kind === 'chardev' || inode.kind === 'blockdev') {
        entry.rdev = inode.rdev;
      }
    }
    out.push(entry);
  }
  return out;
}

/** `metalayer composefs-info dump`: an image as a composefs dumpfile. */
export const composefsInfoDumpCommand = defineCommand({
  name: 'composefs-info dump',
  summary: 'Print a composefs image as a dumpfile, like C composefs-info dump.',
  usage: 'composefs-info dump [options] IMAGE',
  description: `
Reads a composefs EROFS image and prints its tree in composefs-dump(5) format: depth-first,
names in byte order, directory SIZE as stored in the image, hard links as @MODE lines, the
00..ff whiteout table hidden, overlay xattrs unescaped and composefs' own ones consumed.
Feeding the output to \`metalayer mkcomposefs --from-file\` with the same version flags
rebuilds the image byte for byte. Corrupt images are rejected with the offset at fault.`,
  options: {},
  positionals: { min: 1, max: 1 },
  examples: [
    'metalayer composefs-info dump rootfs.cfs > rootfs.dump',
    'metalayer composefs-info dump rootfs.cfs --json | jq ".entries[] | select(.type == \\"symlink\\")"',
  ],
  async run(ctx) {
    const image = await readErofsImageFile(resolve(ctx.io.cwd, ctx.positionals[0]!));
    if (ctx.json) {
      ctx.printJson({
        composefsVersion: image.composefsVersion,
        hasAcl: image.hasAcl,
        inodeCount: image.inodeCount,
        entries: jsonEntries(image),
      });
      return;
    }
    let buffered = '';
    for (const line of erofsImageDumpLines(image)) {
      buffered += line;
      if (buffered.length >= 1 << 16) {
        if (!ctx.io.stdout.write(buffered)) await once(ctx.io.stdout, 'drain');
        buffered = '';
      }
    }
    if (buffered) ctx.io.stdout.write(buffered);
  },
});
