/**
 * The codex files (`<Node>.node.json`) n8n reads next to each node: they must name the node as n8n will
 * know it once installed, use categories n8n has, and link to this package's README.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INodeType } from 'n8n-workflow';

import { Werk24Api } from '../../credentials/Werk24Api.credentials';
import { Werk24CallbackApi } from '../../credentials/Werk24CallbackApi.credentials';
import { Werk24 } from '../../nodes/Werk24/Werk24.node';
import { Werk24Trigger } from '../../nodes/Werk24Trigger/Werk24Trigger.node';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
	homepage: string;
	n8n: { nodes: string[] };
};
const README_BASE = pkg.homepage.replace(/#readme$/, '');
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The anchors GitHub gives README headings: lower case, punctuation dropped, each space a hyphen. */
const README_ANCHORS = new Set(
	fs
		.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
		.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) => line.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')),
);
const anchorOf = (url: string) => url.slice(url.indexOf('#') + 1);
// n8n-docs "node-codex-files": the categories the nodes panel groups by.
const N8N_CATEGORIES = [
	'Analytics',
	'Communication',
	'Data & Storage',
	'Development',
	'Finance & Accounting',
	'Marketing & Content',
	'Miscellaneous',
	'Productivity',
	'Sales',
	'Utility',
];

interface Codex {
	node: string;
	nodeVersion: string;
	codexVersion: string;
	categories: string[];
	alias?: string[];
	resources: Record<string, Array<{ url: string }>>;
}

const nodes: Array<[string, INodeType]> = [
	['nodes/Werk24/Werk24.node.json', new Werk24()],
	['nodes/Werk24Trigger/Werk24Trigger.node.json', new Werk24Trigger()],
];

describe('codex files', () => {
	it('exist for every node package.json registers, next to the node file', () => {
		const registered = pkg.n8n.nodes.map((entry) => entry.replace(/^dist\//, '').replace(/\.js$/, '.json')).sort();
		expect(registered).toEqual(nodes.map(([file]) => file).sort());
		for (const file of registered) expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
	});

	describe.each(nodes)('%s', (file, nodeType) => {
		const codex = JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Codex;

		it('names the node as n8n knows it once the package is installed', () => {
			expect(codex.node).toBe(`${pkg.name}.${nodeType.description.name}`);
			expect(codex.codexVersion).toBe('1.0');
			const versions = ([] as number[]).concat(nodeType.description.version);
			expect(versions.map((version) => version.toFixed(1))).toContain(codex.nodeVersion);
		});

		it('uses categories of the n8n nodes panel', () => {
			expect(codex.categories.length).toBeGreaterThan(0);
			for (const category of codex.categories) expect(N8N_CATEGORIES).toContain(category);
		});

		it('links node and credential documentation to README sections of the package homepage', () => {
			for (const key of ['primaryDocumentation', 'credentialDocumentation']) {
				expect(codex.resources[key]).toEqual([{ url: expect.stringMatching(new RegExp(`^${escaped(README_BASE)}#[a-z0-9-]+$`)) }]);
				// A link to a renamed section would silently land at the top of the README.
				expect(README_ANCHORS).toContain(anchorOf(codex.resources[key][0].url));
			}
		});
	});
});

describe('credential documentation links', () => {
	it.each([
		['Werk24 API', new Werk24Api()],
		['Werk24 Callback Security', new Werk24CallbackApi()],
	])('%s links to an existing README section', (_name, credential) => {
		expect(credential.documentationUrl.startsWith(`${README_BASE}#`)).toBe(true);
		expect(README_ANCHORS).toContain(anchorOf(credential.documentationUrl));
	});

	it('the anchor reader knows the README headings it must find', () => {
		for (const anchor of ['drawing--submit', 'werk24-trigger', 'callback-security', 'troubleshooting']) expect(README_ANCHORS).toContain(anchor);
		expect(README_ANCHORS).not.toContain('no-such-section');
	});
});
