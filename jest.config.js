/** Unit, integration (moto) and end-to-end (bundles on Node 24) tests, one runner. */
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/helpers/jest-setup.ts'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@deploy-actions/aws-kit$': '<rootDir>/packages/aws-kit/src/index.ts',
    '^@deploy-actions/aws-kit/(.*)$': '<rootDir>/packages/aws-kit/src/$1/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
};

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/actions/*/src/**/*.test.ts', '<rootDir>/__tests__/unit/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts', '<rootDir>/__tests__/workflows/**/*.test.ts'],
    },
    {
      ...shared,
      // Hostile and careless inputs against the committed bundles on moto (run `npm run build` first).
      displayName: 'security',
      testMatch: ['<rootDir>/__tests__/security/**/*.test.ts'],
    },
  ],
  testTimeout: 120_000,
};
