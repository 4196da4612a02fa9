/** Three suites: fast unit tests, the sandbox against loopback, and end-to-end in a real n8n (run in band by npm test: one n8n at a time). */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];
const base = { testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest }, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
	projects: [
		{
			...base,
			displayName: 'unit',
			testMatch: ['<rootDir>/test/{core,credentials,nodes,package}/**/*.test.ts', '<rootDir>/test/scripts/**/*.test.ts'],
		},
		{
			...base,
			displayName: 'sandbox',
			testMatch: ['<rootDir>/test/sandbox/**/*.test.ts'],
		},
		{
			...base,
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			globalSetup: '<rootDir>/test/e2e/globalSetup.ts',
			// Case timeouts come from test/e2e/harness.ts (jest.setTimeout): testTimeout is a global option, ignored per project.
		},
	],
};
