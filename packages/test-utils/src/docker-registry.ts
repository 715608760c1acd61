/**
 * Test-only: runs Debian's `docker-registry` (distribution 2.8, no referrers
 * API) on a free loopback port with a temporary storage directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Path of the registry binary (package `docker-registry`). */
export const DOCKER_REGISTRY_BIN = '/usr/bin/docker-registry';

/** A running test registry. */
export interface TestRegistry {
  /** `127.0.0.1:<port>`, for `docker://` references. */
  host: string;
  /** Storage root directory. */
  root: string;
  /** Stops the server and removes its storage. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(host: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${log()}`);
    try {
      const response = await fetch(`http://${host}/v2/`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`docker-registry on ${host} not ready after 30 s: ${log()}`);
}

/** Starts `docker-registry serve` with `storage.delete.enabled` and no auth. */
export async function startDockerRegistry(): Promise<TestRegistry> {
  const root = await mkdtemp(join(tmpdir(), 'metalayer-registry-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const host = `127.0.0.1:${await freePort()}`;
    const config = join(root, 'config.yml');
    await writeFile(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(root, 'data')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: ${host}`,
        '',
      ].join('\n'),
    );
    const child = spawn(DOCKER_REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    try {
      await waitReady(host, child, () => stderr);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      continue;
    }
    return {
      host,
      root,
      async stop() {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
        }
        await rm(root, { recursive: true, force: true });
      },
    };
  }
  await rm(root, { recursive: true, force: true });
  throw lastError;
}
