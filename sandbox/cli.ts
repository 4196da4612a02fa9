// `npm run sandbox`: starts the Werk24 sandbox in the foreground. Flags override environment variables.
import { parseArgs } from 'node:util';
import { FAULT_NAMES, parseFaultRates, type FaultRates } from './faults';
import { startSandbox, type SandboxOptions } from './server';

const USAGE = `Usage: npm run sandbox -- [options]

  --port <n>            WERK24_SANDBOX_PORT         default 8024; 0 = any free port
  --host <addr>         WERK24_SANDBOX_HOST         default 127.0.0.1
  --token <t>           WERK24_SANDBOX_TOKEN        default sandbox-token
  --latency <ms>        WERK24_SANDBOX_LATENCY_MS   simulated work before each ASK message, default 250
  --faults <list>       WERK24_SANDBOX_FAULTS       e.g. duplicate=0.1,slow=0.2 (names: ${FAULT_NAMES.join(', ')})
  --seed <n|text>       WERK24_SANDBOX_SEED         seed of the fault decisions, default 24
  --retry-attempts <n>  WERK24_SANDBOX_RETRY_ATTEMPTS  callback attempts per message, default 5
  --retry-backoff <ms>  WERK24_SANDBOX_RETRY_BACKOFF_MS first retry wait (doubles), default 1000
  --payload-ttl <ms>    WERK24_SANDBOX_PAYLOAD_TTL_MS   payload_url lifetime, default 3600000
  --public-url <url>    WERK24_SANDBOX_PUBLIC_URL   base of payload_url/upload URLs when clients reach the sandbox elsewhere
  --account-tier <p>    WERK24_SANDBOX_ACCOUNT_TIER streaming: highest allowed priority PRIO1|PRIO2|PRIO3, default PRIO3
  --server-public-key   WERK24_SANDBOX_SERVER_KEY=1 streaming: require drawings encrypted with a server key
  --encrypt-callbacks   WERK24_SANDBOX_ENCRYPT_CALLBACKS=1 also encrypt callback bodies when a public_key is sent
  --help
`;

// Errors name the flag and its variable: the value may come from either.
function numberOption(name: string, value: string | undefined): number | undefined {
	if (value === undefined || value === '') return undefined;
	const number = Number(value);
	if (!Number.isFinite(number) || number < 0) throw new RangeError(`${name} must be a non-negative number, got "${value}"`);
	return number;
}

function portOption(value: string | undefined): number | undefined {
	const port = numberOption('--port / WERK24_SANDBOX_PORT', value);
	if (port !== undefined && (!Number.isInteger(port) || port > 65535)) {
		throw new RangeError(`--port / WERK24_SANDBOX_PORT must be a whole number from 0 to 65535 (0 = any free port), got "${value}"`);
	}
	return port;
}

/** Says what to change when listening fails for a reason the user can fix. */
export function listenHint(error: unknown, host: string, port: number): string {
	const code = (error as { code?: string } | null)?.code;
	if (code === 'EADDRINUSE') {
		return `Port ${port} on ${host} is already in use. Stop the other process or pick another port: --port <n> or WERK24_SANDBOX_PORT=<n> (0 = any free port).`;
	}
	if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		return `${host} is not an address of this machine. Use --host 127.0.0.1 (or 0.0.0.0 for every interface), or WERK24_SANDBOX_HOST.`;
	}
	if (code === 'EACCES') return `Listening on port ${port} is not permitted. Pick a port above 1023: --port <n> or WERK24_SANDBOX_PORT=<n>.`;
	return '';
}

function flag(value: boolean | undefined, env: string | undefined): boolean {
	return value ?? ['1', 'true', 'yes'].includes((env ?? '').toLowerCase());
}

export function optionsFromCli(argv: string[], env: NodeJS.ProcessEnv): SandboxOptions & { help: boolean } {
	const { values } = parseArgs({
		args: argv,
		options: {
			port: { type: 'string' },
			host: { type: 'string' },
			token: { type: 'string' },
			latency: { type: 'string' },
			faults: { type: 'string' },
			seed: { type: 'string' },
			'retry-attempts': { type: 'string' },
			'retry-backoff': { type: 'string' },
			'payload-ttl': { type: 'string' },
			'public-url': { type: 'string' },
			'account-tier': { type: 'string' },
			'server-public-key': { type: 'boolean' },
			'encrypt-callbacks': { type: 'boolean' },
			help: { type: 'boolean' },
		},
		strict: true,
	});
	const faultText = values.faults ?? env.WERK24_SANDBOX_FAULTS ?? '';
	const faults: Partial<FaultRates> = parseFaultRates(faultText);
	const seedText = values.seed ?? env.WERK24_SANDBOX_SEED;
	const tier = (values['account-tier'] ?? env.WERK24_SANDBOX_ACCOUNT_TIER ?? 'PRIO3').toUpperCase();
	if (!['PRIO1', 'PRIO2', 'PRIO3'].includes(tier)) throw new RangeError(`--account-tier / WERK24_SANDBOX_ACCOUNT_TIER must be PRIO1, PRIO2 or PRIO3, got "${tier}"`);
	const attempts = numberOption('--retry-attempts / WERK24_SANDBOX_RETRY_ATTEMPTS', values['retry-attempts'] ?? env.WERK24_SANDBOX_RETRY_ATTEMPTS);
	const backoffMs = numberOption('--retry-backoff / WERK24_SANDBOX_RETRY_BACKOFF_MS', values['retry-backoff'] ?? env.WERK24_SANDBOX_RETRY_BACKOFF_MS);
	return {
		help: values.help ?? false,
		port: portOption(values.port ?? env.WERK24_SANDBOX_PORT) ?? 8024,
		host: values.host ?? env.WERK24_SANDBOX_HOST ?? '127.0.0.1',
		token: values.token ?? env.WERK24_SANDBOX_TOKEN ?? 'sandbox-token',
		callbackLatencyMs: numberOption('--latency / WERK24_SANDBOX_LATENCY_MS', values.latency ?? env.WERK24_SANDBOX_LATENCY_MS),
		faults,
		seed: seedText === undefined ? undefined : /^\d+$/.test(seedText) ? Number(seedText) : seedText,
		retry: { ...(attempts !== undefined && { attempts: Math.max(1, Math.floor(attempts)) }), ...(backoffMs !== undefined && { backoffMs }) },
		payloadTtlMs: numberOption('--payload-ttl / WERK24_SANDBOX_PAYLOAD_TTL_MS', values['payload-ttl'] ?? env.WERK24_SANDBOX_PAYLOAD_TTL_MS),
		publicUrl: (values['public-url'] ?? env.WERK24_SANDBOX_PUBLIC_URL) || undefined,
		accountTier: tier as SandboxOptions['accountTier'],
		serverPublicKey: flag(values['server-public-key'], env.WERK24_SANDBOX_SERVER_KEY),
		encryptCallbackBodies: flag(values['encrypt-callbacks'], env.WERK24_SANDBOX_ENCRYPT_CALLBACKS),
	};
}

/** Placeholder for the callback_url: not a URL, so an unedited paste gets a 400 instead of callbacks sent nowhere. */
export const CALLBACK_URL_PLACEHOLDER = 'PASTE_YOUR_WERK24_TRIGGER_PRODUCTION_URL';

/**
 * The example submission printed at start-up. Results go to a Werk24 Trigger, whose Production URL has the
 * webhook id in it, so the user pastes theirs. The placeholder avoids `<…>` (curl -F reads `=<name` as a file)
 * and apostrophes (they would end the single quotes).
 */
export function exampleLines(url: string, token: string): string[] {
	return [
		`Example (replace ${CALLBACK_URL_PLACEHOLDER} with your Werk24 Trigger's Production URL, e.g. http://127.0.0.1:5678/webhook/<webhook id>/callback):`,
		`  curl -s ${url}/techread/read-with-callback -H 'Authorization: Token ${token}' \\`,
		`    -F drawing=@sandbox/fixtures/flange-2-pages.pdf -F 'asks=[{"ask_version":"v2","ask_type":"META_DATA"}]' \\`,
		`    -F 'callback_url=${CALLBACK_URL_PLACEHOLDER}' -F 'callback_headers={"X-Werk24-Token":"change-me-16-chars"}'`,
		`  then: curl -s ${url}/sandbox/requests/<request_id>`,
	];
}

async function main(): Promise<void> {
	let options: ReturnType<typeof optionsFromCli>;
	try {
		options = optionsFromCli(process.argv.slice(2), process.env);
	} catch (error) {
		process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
		process.exit(2);
	}
	if (options.help) {
		process.stdout.write(USAGE);
		return;
	}
	let sandbox: Awaited<ReturnType<typeof startSandbox>>;
	try {
		sandbox = await startSandbox(options);
	} catch (error) {
		const hint = listenHint(error, options.host ?? '127.0.0.1', options.port ?? 8024);
		process.stderr.write(`The sandbox could not start: ${error instanceof Error ? error.message : String(error)}\n${hint ? `${hint}\n` : ''}`);
		process.exit(1);
	}
	process.stdout.write(
		[
			`Werk24 sandbox listening on ${sandbox.url}`,
			`License token: ${sandbox.token}   (API URL ${sandbox.url}, Streaming URL ${sandbox.streamingUrl})`,
			...exampleLines(sandbox.url, sandbox.token),
			'',
		].join('\n'),
	);
	let closing = false;
	const shutdown = (signal: string): void => {
		if (closing) return;
		closing = true;
		process.stdout.write(`${signal}: closing the sandbox\n`);
		sandbox.close().then(
			() => process.exit(0),
			(error: unknown) => {
				process.stderr.write(`Shutdown failed: ${String(error)}\n`);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => shutdown('SIGINT'));
	process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`The sandbox could not start: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	});
}
