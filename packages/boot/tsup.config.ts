import { defineConfig } from 'tsup';
import { tsupBase } from '../../tooling/tsconfig/tsup.base';

export default defineConfig({ ...tsupBase, entry: { index: 'src/index.ts', node: 'src/node/index.ts' } });
