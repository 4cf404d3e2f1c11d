/**
 * Shared Jest preset: native ESM (node --experimental-vm-modules) with @swc/jest.
 * Workspace packages (`@billing/*`) resolve to their TypeScript sources, so tests never need a build.
 */
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { swcOptions } from './tools/swc-options.mjs';

const root = dirname(fileURLToPath(import.meta.url));

/** Maps every workspace package name to its `src/index.ts`. */
function workspaceMappers() {
  const mappers = {};
  for (const group of ['libs', 'services', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const pkgFile = join(dir, name, 'package.json');
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
      mappers[`^${pkg.name.replace('/', '\\/')}$`] = join(dir, name, 'src', 'index.ts');
      mappers[`^${pkg.name.replace('/', '\\/')}/(.*)$`] = join(dir, name, 'src', '$1');
    }
  }
  return mappers;
}

export const swcTransform = ['@swc/jest', { ...swcOptions, sourceMaps: 'inline' }];

export const preset = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swcTransform },
  moduleNameMapper: {
    ...workspaceMappers(),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['**/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
