#!/usr/bin/env node
/**
 * The first step of `npm start` and `npm test`, so both work straight after cloning: installs the development
 * tools (`npm ci`) when they are missing or older than package-lock.json. Plain Node.js, no dependencies: it
 * runs before anything is installed. It is chained into the scripts themselves, not a pre-hook: .npmrc sets
 * ignore-scripts, and npm then skips pre/post hooks even for `npm test`.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** Why an install is needed, or null when node_modules matches the lockfile. */
function staleReason(directory) {
	const lockfile = path.join(directory, 'package-lock.json');
	// npm writes this hidden lockfile after every successful install; a newer package-lock.json means
	// a pull or a branch switch changed the dependencies since.
	const installed = path.join(directory, 'node_modules', '.package-lock.json');
	if (!fs.existsSync(installed)) return 'the development tools are not installed yet';
	if (fs.statSync(lockfile).mtimeMs > fs.statSync(installed).mtimeMs) return 'package-lock.json changed since the last install';
	const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8'));
	const missing = Object.keys(manifest.devDependencies ?? {}).find(
		(name) => !fs.existsSync(path.join(directory, 'node_modules', name, 'package.json')),
	);
	return missing ? `${missing} is missing from node_modules` : null;
}

function main() {
	const reason = staleReason(root);
	if (!reason) return 0;
	process.stdout.write(`Installing the development tools with npm ci (${reason}; about a minute)...\n`);
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const result = spawnSync(npm, ['ci'], { cwd: root, stdio: 'inherit' });
	if (result.status === 0) return 0;
	process.stderr.write(`npm ci failed (${result.error ? result.error.message : `exit code ${result.status}`}); fix what it printed above, then run the command again.\n`);
	return 1;
}

if (require.main === module) process.exit(main());

module.exports = { staleReason };
