// Test support: turns a layer written as composefs dumpfile lines into tar
// entries the way composefs-rs' test_util.rs `dumpfile_to_tar` does: the root
// line is skipped, leading `/` dropped, mode/uid/gid kept (mtime left 0),
// inline CONTENT used as file data, external files filled with Rust
// SmallRng bytes seeded by their size, xattrs as SCHILY PAX records.
import { byteStringToBytes, unescapeDumpfileField } from '@metalayer/composefs';
import type { TarWriteEntry } from '@metalayer/oci';
import { rustSmallRngBytes } from './rust-small-rng';

const S_IFMT = 0o170000;

/** Tar entries of a test_util-style layer dumpfile. */
export function dumpfileLayerEntries(dumpfile: string): TarWriteEntry[] {
  const entries: TarWriteEntry[] = [];
  for (const raw of dumpfile.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const [path, size, mode, , uid, gid, , , payload, content, , ...xattrFields] = line.split(' ') as string[];
    if (path === '/') continue;
    const name = unescapeDumpfileField(path!).replace(/^\/+/, '');
    const modeBits = parseInt(mode!, 8);
    const xattrs = xattrFields.map((field) => {
      const eq = field.indexOf('=');
      return [unescapeDumpfileField(field.slice(0, eq)), byteStringToBytes(unescapeDumpfileField(field.slice(eq + 1)))] as const;
    });
    const common = { name, mode: modeBits & 0o7777, uid: Number(uid), gid: Number(gid), mtime: 0, ...(xattrs.length ? { xattrs } : {}) };
    switch (modeBits & S_IFMT) {
      case 0o040000:
        entries.push({ ...common, type: 'directory' });
        break;
      case 0o100000: {
        const body = content !== '-' ? byteStringToBytes(unescapeDumpfileField(content!)) : rustSmallRngBytes(Number(size), Number(size));
        entries.push({ ...common, type: 'file', body });
        break;
      }
      case 0o120000:
        entries.push({ ...common, type: 'symlink', linkname: unescapeDumpfileField(payload!) });
        break;
      default:
        throw new Error(`dumpfileLayerEntries: unsupported mode ${mode} in ${line}`);
    }
  }
  return entries;
}
