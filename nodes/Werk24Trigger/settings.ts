// Reads the trigger's parameters and credentials into core's plain inputs, and checks them at activation.
import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IHookFunctions,
	type IWebhookFunctions,
} from 'n8n-workflow';
import {
	checkPrivateKey,
	checkPublicKey,
	keysMatch,
	MIN_CALLBACK_SECRET_LENGTH,
	validateCallbackSecurity,
	type CallbackConfig,
} from '../../core';
import { API_CREDENTIAL, CALLBACK_CREDENTIAL } from './description';

export const MIN_SECRET_LENGTH = MIN_CALLBACK_SECRET_LENGTH;

export interface TriggerOptions {
	downloadFiles?: boolean;
	output?: 'simplified' | 'raw';
	allowedDownloadHosts?: string;
}

export interface TriggerSettings {
	config: CallbackConfig;
	output: 'simplified' | 'raw';
	downloadFiles: boolean;
	allowedHosts: string[];
	/** The Werk24 API URL in use, when the optional Werk24 API credential is set: its host may serve result files. */
	apiUrl?: string;
}

type Context = IWebhookFunctions | IHookFunctions;

export function splitHosts(value: unknown): string[] {
	const list = Array.isArray(value) ? value : String(value ?? '').split(/[,\s]+/);
	return list.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const CHANGE_IN_CREDENTIAL =
	'Change it in the Werk24 Callback Security credential (its Test runs the same check) and use the same credential in the Werk24 node that submits the drawings';

/** What is wrong with the Werk24 Callback Security credential, as [message, how to fix]; empty when fine. */
export function credentialProblems(credentials: ICredentialDataDecryptedObject): Array<[string, string]> {
	const problems: Array<[string, string]> = [];
	// The same rule and reasons as the credential's Test and the Werk24 node's Submit (core/callbackSecurity.ts).
	const security = validateCallbackSecurity({ headerName: credentials.headerName, secret: credentials.secret });
	if (!security.ok) problems.push([security.problems.map((problem) => problem.reason).join('; '), CHANGE_IN_CREDENTIAL]);
	const privateKey = text(credentials.privateKey).trim();
	const publicKey = text(credentials.publicKey).trim();
	const passphrase = text(credentials.passphrase) || undefined;
	if (privateKey) {
		for (const problem of checkPrivateKey(privateKey, passphrase)) {
			problems.push([`Private key: ${problem.reason}`, 'Paste the PKCS#8 private key and its passphrase, or leave both empty']);
		}
	}
	if (publicKey) {
		for (const problem of checkPublicKey(publicKey)) {
			problems.push([`Public key: ${problem.reason}`, 'Paste the SPKI public key (-----BEGIN PUBLIC KEY-----), or leave it empty']);
		}
	}
	if (privateKey && publicKey && problems.length === 0 && !keysMatch(publicKey, privateKey, passphrase)) {
		problems.push([
			'The public and the private key do not belong together',
			'Werk24 would encrypt for a key this trigger cannot decrypt with; paste both halves of the same key pair',
		]);
	}
	return problems;
}

function hasCredential(context: Context, name: string): boolean {
	return Boolean(context.getNode().credentials?.[name]);
}

export async function readSettings(context: Context): Promise<TriggerSettings> {
	const authentication = context.getNodeParameter('authentication', CALLBACK_CREDENTIAL) as string;
	const messageTypes = context.getNodeParameter('messageTypes', []) as string[];
	const askTypes = context.getNodeParameter('askTypes', []) as string[];
	const options = context.getNodeParameter('options', {}) as TriggerOptions;

	const config: CallbackConfig = { auth: null, messageTypes, askTypes };
	if (authentication === CALLBACK_CREDENTIAL) {
		const credentials = await context.getCredentials(CALLBACK_CREDENTIAL);
		config.auth = { headerName: text(credentials.headerName).trim(), secret: text(credentials.secret) };
		const pem = text(credentials.privateKey).trim();
		if (pem) config.privateKey = { pem, passphrase: text(credentials.passphrase) || undefined };
	}
	let apiUrl: string | undefined;
	if (hasCredential(context, API_CREDENTIAL)) {
		apiUrl = text((await context.getCredentials(API_CREDENTIAL)).apiUrl) || undefined;
	}
	return {
		config,
		output: options.output === 'raw' ? 'raw' : 'simplified',
		downloadFiles: options.downloadFiles === true,
		allowedHosts: splitHosts(options.allowedDownloadHosts),
		apiUrl,
	};
}

/** Activation check: throws a NodeOperationError that says how to fix the first problem. */
export async function validateSettings(context: IHookFunctions): Promise<void> {
	const authentication = context.getNodeParameter('authentication', CALLBACK_CREDENTIAL) as string;
	if (authentication === CALLBACK_CREDENTIAL) {
		if (!hasCredential(context, CALLBACK_CREDENTIAL)) {
			throw new NodeOperationError(context.getNode(), 'No Werk24 Callback Security credential selected', {
				description: 'Select or create one under "Credential to connect with", or set "Authentication" to None',
			});
		}
		const problems = credentialProblems(await context.getCredentials(CALLBACK_CREDENTIAL));
		if (problems.length > 0) {
			const [message, description] = problems[0];
			throw new NodeOperationError(context.getNode(), message, { description });
		}
	}
	const messageTypes = context.getNodeParameter('messageTypes', []) as string[];
	if (Array.isArray(messageTypes) && messageTypes.length === 0) {
		throw new NodeOperationError(context.getNode(), 'No message type selected in "Message Types"', {
			description: 'Select at least one of Ask, Progress and Error, otherwise this trigger never starts the workflow',
		});
	}
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	for (const host of splitHosts(options.allowedDownloadHosts)) {
		// URL accepts "*" in a host name, but entries are matched exactly: a pattern would silently never match.
		if (host.includes('*') || !URL.canParse(host.includes('://') ? host : `http://${host}`)) {
			throw new NodeOperationError(context.getNode(), `"${host}" in "Allowed Download Hosts" is not a host name`, {
				description: 'List host names or host:port pairs separated by commas, e.g. files.intranet.example, 10.0.0.5:8443',
			});
		}
	}
}
