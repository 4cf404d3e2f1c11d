#!/usr/bin/env node
/**
 * Breaking-change check of the integration event contracts: runs `buf breaking` (FILE rules, see
 * proto/buf.yaml) on the working tree's proto/ against proto/ of the previous commit (HEAD~1), from
 * the repository root. When HEAD~1 does not exist or has no proto/ yet (the contracts are being
 * introduced), there is nothing to compare with: prints why and exits 0.
 *
 * Usage: node libs/contracts/scripts/buf-breaking.mjs   (or `npm run buf:breaking -w @billing/contracts`)
 * Exit code: buf's (0 = no breaking change, non-zero = breaking changes listed above, or buf failed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const against = 'HEAD~1';

/** Prints one line on stdout. */
function say(line) {
  process.stdout.write(`${line}\n`);
}

function git(...args) {
  return spawnSync('git', args, { cwd: root, encoding: 'utf8' });
}

if (git('rev-parse', '--verify', '--quiet', `${against}^{commit}`).status !== 0) {
  say(`buf breaking: skipped — ${against} does not exist (no previous commit), so proto/ is being introduced.`);
  process.exit(0);
}
if (git('cat-file', '-e', `${against}:proto/buf.yaml`).status !== 0) {
  say(`buf breaking: skipped — ${against} has no proto/buf.yaml, so proto/ is being introduced.`);
  process.exit(0);
}

const localBuf = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');
const buf = existsSync(localBuf) ? localBuf : 'buf';
say(`buf breaking: checking proto/ against ${against}:proto (FILE rules)`);
const result = spawnSync(buf, ['breaking', 'proto', '--against', `.git#ref=${against},subdir=proto`], {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
if (result.error) {
  console.error(`buf breaking: could not run buf: ${result.error.message}`);
  process.exit(1);
}
if (result.status === 0) say(`buf breaking: no breaking change against ${against}.`);
process.exit(result.status ?? 1);
