/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // The product's tests, and each workspace package's own.
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/packages/*/test/**/*.test.ts'],
  // The workspace packages from their sources (as tsconfig.json's paths), never from their builds.
  moduleNameMapper: { '^@failback/(asr-emulator|slack-standin|sandbox)$': '<rootDir>/packages/$1/src' },
  modulePathIgnorePatterns: ['<rootDir>/packages/[^/]+/dist/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // Most tests wait on timers of the emulator and the bot, not the CPU: two workers even on a two-core
  // machine (jest's default there is one) halve the run, and keep it under CI's 15 minutes.
  maxWorkers: 2,
};
