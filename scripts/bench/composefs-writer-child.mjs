// Child process of 10-composefs-writer.bench.mjs: parse a dumpfile and write its image,
// so that the peak RSS reported is that of this work alone.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { parseDumpfile, writeErofsImageFile } from '../../packages/composefs/dist/index.js';

const [dumpfile, out] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const tree = await parseDumpfile(createReadStream(dumpfile, { highWaterMark: 1 << 20 }));
const t1 = process.hrtime.bigint();
const { size } = await writeErofsImageFile(tree, out);
const t2 = process.hrtime.bigint();
const ms = (a, b) => Number(b - a) / 1e6;
process.stdout.write(
  JSON.stringify({
    parseMs: ms(t0, t1),
    writeMs: ms(t1, t2),
    totalMs: ms(t0, t2),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    size,
    sha256: createHash('sha256').update(readFileSync(out)).digest('hex'),
  }),
);
