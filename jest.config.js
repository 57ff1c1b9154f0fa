/**
 * One runner, five tiers, told apart by where a test lives (`npm test -- --selectProjects <tier>` runs one):
 * unit beside the code or in __tests__/unit, then __tests__/integration, e2e, security and workflows.
 */
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
      // Pure logic, and AWS through the real SDK answered by nock (__tests__/helpers/nock-aws.ts, fake-<service>.ts).
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/actions/*/src/**/*.test.ts', '<rootDir>/__tests__/unit/**/*.test.ts'],
    },
    {
      ...shared,
      // The real SDK against moto_server on loopback (__tests__/helpers/moto.ts: useMoto()).
      displayName: 'integration',
      testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts'],
    },
    {
      ...shared,
      // The committed bundles on Node 24 as the runner runs them, on moto (run `npm run build` first).
      displayName: 'e2e',
      testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'],
    },
    {
      ...shared,
      // Hostile and careless inputs against the committed bundles on moto (run `npm run build` first).
      displayName: 'security',
      testMatch: ['<rootDir>/__tests__/security/**/*.test.ts'],
    },
    {
      ...shared,
      // GitHub's own workflow parser and expression evaluator over every workflow and example, actionlint, the contract.
      displayName: 'workflows',
      testMatch: ['<rootDir>/__tests__/workflows/**/*.test.ts'],
    },
  ],
  testTimeout: 120_000,
};
