import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * Module boundaries (design §2), enforced here:
 * - a lib never imports a service or an app;
 * - a service never imports another service or an app;
 * - nothing reaches into another package's files by relative path.
 * Apps (the composition roots, e.g. apps/embedded) may import services and libs.
 */
const services = ['identity', 'customers', 'billing', 'approvals', 'payments-gateway', 'fiscalization', 'api-gateway', 'web'];

const noDeepRelative = {
  group: ['../../*', '../../../*/**'],
  message: 'Import another package by its name (@billing/…), never by a relative path out of this package.',
};

function serviceRule(self) {
  return {
    files: [`services/${self}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: services.filter((s) => s !== self).map((s) => `@billing/${s}-service`).concat(['@billing/*-service/**', '@billing/embedded']),
              message: 'A service never imports another service (design §2): use its integration events.',
            },
            { group: ['**/services/**', '**/apps/**'], message: 'A service never imports another service or an app.' },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/gen/**', 'data/**', 'coverage/**', '.nx/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@billing/*-service', '@billing/*-service/**', '@billing/embedded', '**/services/**', '**/apps/**'], message: 'A lib never imports a service or an app (design §2).' },
            noDeepRelative,
          ],
        },
      ],
    },
  },
  ...services.map(serviceRule),
  {
    files: ['**/*.spec.ts', '**/bench/**/*.ts', '**/cli/**/*.ts', '**/main.ts', '**/*.js', 'tools/**/*.mjs'],
    rules: { 'no-console': 'off' },
  },
);
