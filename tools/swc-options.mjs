/**
 * The one SWC configuration of the repository: how TypeScript becomes JavaScript for Jest
 * (`jest.preset.js`) and for `npm start` (`tools/build-runtime.mjs`): ES2023 ES modules, legacy
 * decorators with metadata (NestJS), class fields as assignments (as `tsc` with
 * `useDefineForClassFields: false`), class names kept.
 */
export const swcOptions = {
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
  module: { type: 'es6' },
};
