// Lint set = what n8n's verification scanner (@n8n/scan-community-package) and `n8n-node lint`
// apply, bound to the shipped folders. sandbox/, test/ and scripts/ are dev tooling: they get the
// TypeScript rules but may use process, timers, fs and dev libraries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const community = n8nCommunityNodesPlugin.configs.recommended;
const SHIPPED = ['index.ts', 'core/**/*.ts', 'nodes/**/*.ts', 'credentials/**/*.ts'];

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		rules: { 'prefer-spread': 'off' },
	},
	{
		// The scanner lints with allowInlineConfig: false, so an eslint-disable comment hides nothing there.
		files: SHIPPED,
		extends: [community],
		linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'error' },
		rules: { 'no-console': 'error' },
	},
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['package.json'],
		extends: [community],
		rules: { ...n8nNodesBase.configs.community.rules },
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		// core/ is the framework-free protocol layer that Node-RED nodes will reuse.
		files: ['core/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{ patterns: [{ group: ['n8n-workflow', 'n8n-workflow/*', 'n8n-core'], message: 'core/ must stay framework-free.' }] },
			],
		},
	},
);
