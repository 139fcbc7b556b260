#!/usr/bin/env node
// The published @kassa/node, used as a stranger would: pack it (with pnpm and with npm), install the
// tarball into a new project outside the workspace, type-check the README's snippets
// with a strict NodeNext tsconfig (the package's own declarations included), and run the
// ones marked `ts runnable` against a gateway started for the purpose.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(new URL('.', import.meta.url).pathname, '..');
const pkgDir = join(root, 'packages', 'node');
const sh = (cmd, args, cwd, env = process.env) =>
  execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const work = mkdtempSync(join(tmpdir(), 'kassa-sdk-check-'));
console.log(`sdk: checking in ${work}`);
sh('pnpm', ['--filter', '@kassa/node', 'build'], root);
// The README's TypeScript blocks, each its own module.
const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts( runnable)?\n([\s\S]*?)```/g)].map((m, i) => ({
  file: `snippet${i + 1}`,
  runnable: Boolean(m[1]),
  code: m[2],
}));

/**
 * Packs the package with `packer` (npm and pnpm differ: only pnpm applies publishConfig,
 * so a package must work without it), installs the tarball into a new project and
 * type-checks the README's snippets there. Returns the project's directory.
 */
function installPacked(packer) {
  const dest = join(work, packer);
  mkdirSync(dest);
  sh(packer, ['pack', '--pack-destination', dest], pkgDir);
  const tarball = readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`${packer} pack made no tarball`);
  const listing = sh('tar', ['tzf', join(dest, tarball)], dest)
    .trim()
    .split('\n');
  const manifest = JSON.parse(
    sh('tar', ['xzOf', join(dest, tarball), 'package/package.json'], dest),
  );
  const shipped = JSON.stringify({ ...manifest.dependencies, ...manifest.peerDependencies });
  if (shipped.includes('workspace:') || shipped.includes('@kassa/')) {
    throw new Error(`the ${packer}-packed package depends on the workspace: ${shipped}`);
  }
  // Every file the manifest points at is in the tarball.
  const targets = JSON.stringify([manifest.exports, manifest.main, manifest.types]).match(
    /\.\/[^"]+/g,
  );
  for (const t of targets ?? []) {
    if (!listing.includes(`package/${t.slice(2)}`)) {
      throw new Error(`the ${packer}-packed package names ${t}, which it does not ship`);
    }
  }
  console.log(`sdk: ${packer} pack: ${tarball}, ${listing.length} files, dependencies ${shipped}`);

  const project = join(work, `shop-${packer}`);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'shop', private: true, type: 'module' }, null, 2),
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: false,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'build',
        },
        include: ['*.ts'],
      },
      null,
      2,
    ),
  );
  sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      join(dest, tarball),
      'typescript@~5.9.3',
      '@types/node@^20',
    ],
    project,
  );
  for (const b of blocks) writeFileSync(join(project, `${b.file}.ts`), b.code);
  sh(join(project, 'node_modules', '.bin', 'tsc'), ['-p', '.'], project);
  // Imported as a merchant's server would, by its name.
  sh(
    process.execPath,
    ['-e', "import('@kassa/node').then((m) => { if (!m.Kassa) process.exit(1) })"],
    project,
  );
  console.log(
    `sdk: ${packer}: ${blocks.length} README snippets type-check (strict, NodeNext, skipLibCheck off), and it imports`,
  );
  return project;
}
const projects = ['pnpm', 'npm'].map(installPacked);

// A gateway of our own, on a free port, stopped by its pid.
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const url = `http://127.0.0.1:${port}`;
const gateway = spawn(process.execPath, ['dist/kassa.mjs', 'start'], {
  cwd: join(root, 'packages', 'server'),
  env: {
    ...process.env,
    KASSA_PORT: String(port),
    KASSA_PUBLIC_URL: url,
    KASSA_DEMO: '1',
    KASSA_DATABASE_URL: `file:${join(work, 'kassa.db')}`,
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
gateway.stdout.on('data', (d) => {
  out += d;
});
gateway.stderr.on('data', (d) => {
  out += d;
});
try {
  const deadline = Date.now() + 30_000;
  while (
    !/secret key:\s+sk_/.test(out) ||
    !(await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (gateway.exitCode !== null || Date.now() > deadline)
      throw new Error(`gateway did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const secretKey = /secret key:\s+(\S+)/.exec(out)?.[1];
  for (const project of projects) {
    for (const b of blocks.filter((x) => x.runnable)) {
      const output = sh(process.execPath, [join('build', `${b.file}.js`)], project, {
        ...process.env,
        KASSA_URL: url,
        KASSA_SECRET_KEY: secretKey,
      });
      console.log(
        `sdk: ${b.file} ran (${project.split('-').pop()}):\n${output.replace(/^/gm, '    ')}`,
      );
    }
  }
} finally {
  gateway.kill('SIGTERM');
}
console.log('sdk: ok');
