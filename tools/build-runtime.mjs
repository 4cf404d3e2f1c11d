/**
 * Fast runtime build for `npm start`: transpiles every workspace package's `src/**\/*.ts` (tests
 * excluded) to `dist/` with SWC, the same transform Jest uses (legacy decorators with metadata, ES
 * modules). It does no type checking: `npm test` runs `tsc -b` for that, and `npm run build` (the
 * images) still emits with tsc. Files whose output is newer than their source are skipped, so a
 * restart transpiles nothing. Protobuf contracts are regenerated with Buf first when a `.proto` file
 * is newer than the generated code.
 *
 * Usage: `node tools/build-runtime.mjs` (from the repository root). Exits 1 on the first error.
 */
import { transformFile } from '@swc/core';
import { swcOptions } from './swc-options.mjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();

/** Every file under `dir` (recursively) whose name passes `keep`. */
function walk(dir, keep, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, keep, out);
    else if (keep(entry.name)) out.push(path);
  }
  return out;
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

// 1. Contracts: buf generate when a .proto changed (or nothing was generated yet).
const protos = walk(join(root, 'proto'), (name) => name.endsWith('.proto') || name.endsWith('.yaml'));
const generated = walk(join(root, 'libs', 'contracts', 'src', 'gen'), (name) => name.endsWith('.ts'));
const newestProto = Math.max(...protos.map(mtime));
const oldestGenerated = generated.length === 0 ? 0 : Math.min(...generated.map(mtime));
if (newestProto > oldestGenerated) {
  const buf = spawnSync(join(root, 'node_modules', '.bin', 'buf'), ['generate', 'proto', '--template', 'proto/buf.gen.yaml'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (buf.status !== 0) process.exit(1);
}

// 2. Transpile every package's sources that changed since their output was written.
const options = { ...swcOptions, sourceMaps: true };
const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.spec.ts');
const jobs = [];
for (const group of ['libs', 'services', 'apps']) {
  for (const name of existsSync(join(root, group)) ? readdirSync(join(root, group)) : []) {
    const pkg = join(root, group, name);
    if (!existsSync(join(pkg, 'tsconfig.json'))) continue;
    for (const source of walk(join(pkg, 'src'), isSource)) {
      const target = join(pkg, 'dist', relative(join(pkg, 'src'), source)).replace(/\.ts$/, '.js');
      if (mtime(target) >= mtime(source)) continue;
      jobs.push(
        transformFile(source, { ...options, filename: source, sourceFileName: relative(dirname(target), source) }).then((output) => {
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, `${output.code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
          if (output.map) writeFileSync(`${target}.map`, output.map);
        }),
      );
    }
  }
}
try {
  await Promise.all(jobs);
} catch (error) {
  console.error('build-runtime failed:', error);
  process.exit(1);
}
console.log(`build-runtime: ${jobs.length} file(s) transpiled in ${Math.round(performance.now() - started)} ms`);
