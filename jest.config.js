/** Unit and integration tests: real PostgreSQL (embedded unless DATABASE_URL is set), fake Asterisk. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['<rootDir>/tests/{unit,integration,fidelity,browser}/**/*.test.ts'],
  // tsconfig's isolatedModules makes ts-jest transpile file by file (fast); `npm run typecheck` checks types.
  // tsconfig.jest.json: CommonJS output, so that import()s (the Prisma client's) work in jest's vm.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  // The generated Prisma client imports its siblings as ./x.js.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  testTimeout: 20000,
};
