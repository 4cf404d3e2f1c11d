import { existsSync, readdirSync } from 'node:fs';

/** Root Jest config: one run over every lib, service and app; each has its own jest.config.js (a Jest project). */
const projects = ['libs', 'services', 'apps'].flatMap((group) =>
  existsSync(group)
    ? readdirSync(group)
        .filter((name) => existsSync(`${group}/${name}/jest.config.js`))
        .map((name) => `<rootDir>/${group}/${name}`)
    : [],
);

export default {
  projects,
  reporters: ['default', '<rootDir>/tools/jest-summary-reporter.js'],
};
