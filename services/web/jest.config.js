import { preset, swcTransform } from '../../jest.preset.js';

const [swc, options] = swcTransform;
/** TSX through SWC with the automatic React runtime. */
const tsx = [swc, { ...options, jsc: { ...options.jsc, parser: { syntax: 'typescript', tsx: true, decorators: true }, transform: { ...options.jsc.transform, react: { runtime: 'automatic' } } } }];

/**
 * Unit tests of the web app (`src/**\/*.spec.ts(x)`) and the browser tests (`e2e/*.e2e.spec.ts`: real
 * Chromium against the embedded runtime; they build `dist/` first when it is missing or older than `src/`).
 */
export default {
  ...preset,
  displayName: 'web',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: { '^.+\\.ts$': preset.transform['^.+\\.ts$'], '^.+\\.tsx$': tsx },
  testMatch: ['**/src/**/*.spec.ts', '**/src/**/*.spec.tsx', '**/e2e/**/*.e2e.spec.ts'],
};
