// Builds the publishable package: dist/index.js (tsup) and declarations (tsc) for this
// package and the gateway's protocol types it names, under dist/types. The protocol goes
// with the package, so nothing workspace-only is needed by whoever installs it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const bin = (name) => join(here, 'node_modules', '.bin', name);
rmSync(join(here, 'dist'), { recursive: true, force: true });
execFileSync(bin('tsup'), { cwd: here, stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: here, stdio: 'inherit' });

// Specifiers that work from plain .d.ts files: `./x.ts` → `./x.js`, and the protocol by
// its place in dist/types instead of its workspace name.
const types = join(here, 'dist', 'types');
const protocol = join(types, 'protocol', 'src', 'index.js');
const walk = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
for (const file of walk(types).filter((f) => f.endsWith('.d.ts'))) {
  let rel = relative(join(file, '..'), protocol);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  const text = readFileSync(file, 'utf8')
    .replace(/(from\s+'\.{1,2}\/[^']+)\.ts'/g, "$1.js'")
    .replace(/(import\(\s*'\.{1,2}\/[^']+)\.ts'/g, "$1.js'")
    .replaceAll("'@kassa/protocol'", `'${rel}'`);
  writeFileSync(file, text);
}
writeFileSync(join(here, 'dist', 'index.d.ts'), "export * from './types/node/src/index.js';\n");
console.log('node: dist/index.js, dist/index.d.ts');
