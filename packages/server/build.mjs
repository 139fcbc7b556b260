// Builds dist/kassa.mjs: the CLI and gateway as one plain-JavaScript ES module, so that
// `npm start` runs with node alone. Under the tsx loader the gateway carried a loader
// thread and on-the-fly transpiling, about a third of its memory. npm dependencies stay
// external (better-sqlite3 is native); the workspace's TypeScript packages are bundled in,
// so the npm packages they import (zod) are the
// server's own dependencies too.
// `pnpm kassa` and the tests still run the sources through tsx.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const here = (p) => new URL(p, import.meta.url).pathname;

rmSync(here('./dist'), { recursive: true, force: true });
mkdirSync(here('./dist'), { recursive: true });
await build({
  entryPoints: [here('./src/cli/main.ts')],
  outfile: here('./dist/kassa.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [
    {
      name: 'external-npm-packages',
      setup(b) {
        // Bare imports other than the workspace's own packages load from node_modules.
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@kassa/') || args.path.startsWith('node:')
            ? undefined
            : { path: args.path, external: true },
        );
      },
    },
  ],
});
// What the bundle finds beside itself, as the sources do: migrations and the WAL thread.
cpSync(here('./src/store/sqlite/migrations'), here('./dist/migrations'), { recursive: true });
cpSync(here('./src/store/postgres/migrations'), here('./dist/pg-migrations'), { recursive: true });
cpSync(here('./src/store/sqlite/checkpointer.js'), here('./dist/checkpointer.js'));
console.log('server: dist/kassa.mjs');
