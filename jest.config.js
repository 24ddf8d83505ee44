// NestJS 12 ships ES modules, which Jest's CommonJS runtime cannot load: those packages are
// transformed to CommonJS with SWC (test/jest/swc-transform.cjs), as is our TypeScript.
const esmPackages = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  'uint8array-extras',
  '@tokenizer',
  '@borewit',
  '@standard-schema',
];

const shared = {
  transform: { '^.+\\.(t|j|mj)s$': '<rootDir>/test/jest/swc-transform.cjs' },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  // The generated Prisma client imports its TypeScript siblings as `./x.js`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], slowTestThreshold: 30 },
    // Against a real dockerd (TEST_DOCKER_HOST); skipped with a printed reason without one.
    { ...shared, displayName: 'engine', testMatch: ['<rootDir>/test/engine/**/*.engine-spec.ts'] },
  ],
  testTimeout: 60000,
};
