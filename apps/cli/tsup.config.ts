import { defineConfig } from 'tsup';
import { tsupBase } from '../../tooling/tsconfig/tsup.base';

export default defineConfig({ ...tsupBase, entry: { cli: 'src/cli.ts', index: 'src/index.ts' } });
