import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '@metalayer/test-utils';

/**
 * A podman storage of its own (`--root`/`--runroot` under `dir`) with one
 * storage driver. Keep `dir` short: overlay refuses a run root longer than 50
 * characters.
 */
export class PodmanStorage {
  private readonly mounted: string[] = [];

  constructor(
    readonly dir: string,
    readonly driver: 'vfs' | 'overlay',
  ) {}

  private podman(args: string[], cwd?: string): string {
    const global = ['--root', join(this.dir, 'root'), '--runroot', join(this.dir, 'run'), '--storage-driver', this.driver];
    const common = ['--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
    return run('podman', [...global, ...common, ...args], { ...(cwd ? { cwd } : {}), timeoutMs: 300_000 })
      .stdout.toString()
      .trim();
  }

  /**
   * Pulls `oci:<name>:<tag>` from the layout `parent/<name>` and returns the
   * image ID. The path is relative because podman names the image after it
   * and refuses upper-case repository names (mkdtemp uses them).
   */
  pull(parent: string, name: string, tag: string): string {
    return this.podman(['pull', '-q', `oci:${name}:${tag}`], parent);
  }

  /**
   * The image's merged root as podman mounts it: one sorted line per path
   * (type, mode, owner, size, link count, mtime, link target) plus every
   * extended attribute (`getfattr`). The root's own line is left out: its
   * mtime is the time of the pull.
   */
  view(image: string): string[] {
    const root = this.podman(['image', 'mount', image]);
    this.mounted.push(image);
    const files = run('find', [root, '-mindepth', '1', '-printf', '%P %y %m %U:%G %s %n %T@ %l\\n']).stdout.toString().trim().split('\n');
    const xattrs = run('getfattr', ['--absolute-names', '-d', '-m', '-', '-R', '-h', root])
      .stdout.toString()
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => `xattr ${line.replace(root, '')}`);
    return [...files.sort(), ...xattrs];
  }

  /** Unmounts what {@link view} mounted, and anything the driver left mounted under `dir`. */
  close(): void {
    if (this.mounted.length > 0) this.podman(['image', 'unmount', ...this.mounted]);
    const left = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((path) => path.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const path of left) run('umount', [path]);
  }
}

/**
 * Why podman cannot use `driver` here, or undefined when it can (overlay
 * needs root or fuse-overlayfs, a kernel that allows it, and a run root of
 * at most 50 characters).
 */
export function podmanDriverProblem(dir: string, driver: 'vfs' | 'overlay'): string | undefined {
  const storage = new PodmanStorage(dir, driver);
  try {
    run(
      'podman',
      [
        '--root',
        join(dir, 'root'),
        '--runroot',
        join(dir, 'run'),
        '--storage-driver',
        driver,
        '--cgroup-manager',
        'cgroupfs',
        '--events-backend',
        'file',
        'info',
      ],
      { timeoutMs: 120_000 },
    );
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    storage.close();
  }
}
