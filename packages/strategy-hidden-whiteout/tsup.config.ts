import { defineConfig } from 'tsup';
import { tsupBase } from '../../tooling/tsconfig/tsup.base';

export default defineConfig({ ...tsupBase, entry: ['src/index.ts'] });
