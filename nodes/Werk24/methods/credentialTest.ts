import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import {
	checkPrivateKey,
	checkPublicKey,
	DEFAULT_API_URL,
	keysMatch,
	openHandshake,
	validateCallbackSecurity,
	type WebSocketConstructor,
} from '../../../core';

const PROBE_TIMEOUT_MS = 15_000;

/**
 * Where a built-in WebSocket exists (Node ≥ 22), the streaming handshake is opened and closed like
 * `werk24 health-check`; the HTTP probe below runs as well, since "Submit" depends on the API URL.
 */
export async function werk24ApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const probe = await probeApi(credential);
	const streamingUrl = String(credential.data?.streamingUrl ?? '').trim();
	const token = String(credential.data?.token ?? '').trim();
	if (typeof WebSocket === 'undefined' || !streamingUrl || !token) return probe;

	const handshake = await openHandshake(WebSocket as unknown as WebSocketConstructor, streamingUrl, token, AbortSignal.timeout(PROBE_TIMEOUT_MS));
	if (handshake.ok) {
		if (probe.status === 'OK') return { status: 'OK', message: 'License token accepted (API and streaming connection)' };
		return { status: 'Error', message: `The streaming connection accepted the license token, but: ${probe.message}` };
	}
	if (handshake.error.kind === 'unauthorized') {
		return { status: 'Error', message: `License token rejected — check the License Token (${handshake.error.title.replace(/^License token rejected — /, '')})` };
	}
	if (probe.status === 'OK') {
		// Submit works; only "Read and Wait" needs the streaming URL, so this stays a warning in an OK.
		return {
			status: 'OK',
			message: `License token accepted. Note: the Streaming URL ${streamingUrl} could not be opened (${handshake.error.title}); "Read and Wait" will not work until it can`,
		};
	}
	return probe;
}

/**
 * The service has no "who am I" endpoint, so we send read-with-callback without a drawing. It checks the
 * token before it validates the request: 401/403 ⇒ token rejected, 400 ⇒ token accepted (nothing is read
 * or charged). The credential test context offers only a deprecated request helper, hence `fetch`.
 */
async function probeApi(credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const token = String(credential.data?.token ?? '').trim();
	const apiUrl = String(credential.data?.apiUrl || DEFAULT_API_URL).trim().replace(/\/+$/, '');
	if (!token) return { status: 'Error', message: 'License Token is empty — paste the token from your Werk24 license' };
	let probeUrl: URL;
	try {
		probeUrl = new URL(`${apiUrl}/techread/read-with-callback`);
	} catch {
		return { status: 'Error', message: `API URL "${apiUrl}" is not a valid URL — keep the default ${DEFAULT_API_URL}` };
	}
	if (probeUrl.protocol !== 'https:' && probeUrl.protocol !== 'http:') {
		return { status: 'Error', message: `API URL must start with https:// or http:// (got ${probeUrl.protocol}//)` };
	}

	let status: number;
	try {
		const response = await fetch(probeUrl, {
			method: 'POST',
			headers: { Authorization: `Token ${token}`, Accept: 'application/json' },
			signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
		});
		status = response.status;
		await response.arrayBuffer();
	} catch (error) {
		const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
		return {
			status: 'Error',
			message: `Could not reach the API URL ${apiUrl} (${cause}) — check the address and that this n8n can reach it`,
		};
	}
	return verdictForProbeStatus(status, apiUrl);
}

export function verdictForProbeStatus(status: number, apiUrl: string): INodeCredentialTestResult {
	if (status === 401 || status === 402 || status === 403) {
		return {
			status: 'Error',
			message: `License token rejected — check the License Token (Werk24 answered HTTP ${status}; the token may be mistyped, expired or for another service)`,
		};
	}
	// Validation errors come after authentication, so they prove the token was accepted.
	if (status === 400 || status === 422) return { status: 'OK', message: 'License token accepted' };
	if (status >= 200 && status < 300) return { status: 'OK', message: 'License token accepted' };
	if (status === 404 || status === 405) {
		return {
			status: 'Error',
			message: `The API URL ${apiUrl} does not look like the Werk24 API (HTTP ${status} for /techread/read-with-callback) — keep the default ${DEFAULT_API_URL} or the sandbox address`,
		};
	}
	return {
		status: 'Error',
		message: `The Werk24 API at ${apiUrl} answered HTTP ${status}, so the token could not be checked — try again later or check the API URL`,
	};
}

/** No network: the header and secret rule (the one Submit and the Trigger apply), that the keys parse, and that they belong together. */
export async function werk24CallbackApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return checkCallbackSecurity(credential.data ?? {});
}

export function checkCallbackSecurity(data: Record<string, unknown>): INodeCredentialTestResult {
	const publicKey = String(data.publicKey ?? '').trim();
	const privateKey = String(data.privateKey ?? '').trim();
	const passphrase = String(data.passphrase ?? '') || undefined;

	const security = validateCallbackSecurity({ headerName: data.headerName, secret: data.secret });
	if (!security.ok) return { status: 'Error', message: security.problems.map((problem) => problem.reason).join('; ') };
	if (publicKey) {
		const problems = checkPublicKey(publicKey);
		if (problems.length) {
			return { status: 'Error', message: `Public Key does not parse: ${problems.map((p) => p.reason).join('; ')}` };
		}
	}
	if (privateKey) {
		const problems = checkPrivateKey(privateKey, passphrase);
		if (problems.length) {
			return {
				status: 'Error',
				message: `Private Key does not parse: ${problems.map((p) => p.reason).join('; ')} (check the Private Key Passphrase too)`,
			};
		}
	}
	if (publicKey && privateKey && !keysMatch(publicKey, privateKey, passphrase)) {
		return {
			status: 'Error',
			message: 'Public Key and Private Key do not belong together — paste both keys from the same "Generate Key Pair" run',
		};
	}
	const keys = publicKey && privateKey ? ' and the key pair matches' : publicKey ? ' (public key only: results stay encrypted until a private key is added)' : '';
	return { status: 'OK', message: `Header and secret are valid${keys}` };
}
