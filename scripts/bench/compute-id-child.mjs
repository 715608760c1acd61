// Child process of 30-compute-id.bench.mjs: compute one image id, so that the
// peak RSS reported is that of this work alone.
// Usage: node compute-id-child.mjs LAYOUT TAG sha256|sha512 [THREADS]
import { openLayout, resolveImage } from '../../packages/oci/dist/index.js';
import { computeImageIds } from '../../packages/rootfs/dist/index.js';

const [layout, tag, algorithm, threads] = process.argv.slice(2);
const store = await openLayout(layout);
const image = await resolveImage(store, tag);
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const [id] = await computeImageIds(
  store,
  image,
  [{ algorithm, erofsVersion: 1 }],
  threads === undefined ? {} : { hashThreads: Number(threads) },
);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, hex: id.hex, maxRssBytes: process.resourceUsage().maxRSS * 1024 }),
);
