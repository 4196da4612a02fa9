/**
 * Once per e2e run: make sure the pinned n8n runtime is installed (minutes on a fresh machine, instant after),
 * remove n8n processes a crashed earlier run left behind, then build and pack the package once for every suite.
 */
import { reapLeftoverInstances } from '../../scripts/n8nInstance';
import { ensureN8nRuntime } from '../../scripts/n8nRuntime';
import { buildAndPack } from '../../scripts/packageTarball';

/** The packed package under test, for the harness in the test workers. */
export const TARBALL_ENV = 'WERK24_E2E_TARBALL';

export default async function globalSetup(): Promise<void> {
	const reaped = reapLeftoverInstances();
	if (reaped > 0) process.stderr.write(`\nStopped ${reaped} n8n process(es) left over from an earlier run.\n`);
	await ensureN8nRuntime((line) => process.stderr.write(`\n[n8n runtime] ${line}`));
	if (!process.env[TARBALL_ENV]) process.env[TARBALL_ENV] = buildAndPack();
}
