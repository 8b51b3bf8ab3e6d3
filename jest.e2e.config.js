/**
 * Opt-in end-to-end suite: the real service against a real Asterisk, phones played by sipp.
 * See tests/e2e/README.md for what it needs (Asterisk, sipp, PostgreSQL) and how to run it.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/e2e'],
  testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
  // As jest.config.js: ts-jest, CommonJS output (the generated Prisma client's import()s).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // One Asterisk, one ARI application name, fixed phone numbers: one test file at a time.
  maxWorkers: 1,
  // Calls take seconds (a recall waits for its timer); each wait inside has its own deadline.
  testTimeout: 120_000,
  slowTestThreshold: 60,
};
