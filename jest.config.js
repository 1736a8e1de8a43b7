/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // Most tests wait on timers of the emulator and the bot, not the CPU: two workers even on a two-core
  // machine (jest's default there is one) halve the run, and keep it under CI's 15 minutes.
  maxWorkers: 2,
};
