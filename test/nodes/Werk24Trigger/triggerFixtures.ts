// Shared inputs for the Werk24 Trigger tests: credentials, example messages, description defaults.
import { Werk24Trigger } from '../../../nodes/Werk24Trigger/Werk24Trigger.node';
import { loadExample } from '../../fixtures/examples';
import { defaultsOf, makeWebhookContext, type ContextOptions } from '../../helpers/webhookContext';
import { testKey } from '../../fixtures/testKeys';

export const key = testKey;
export const PUBLIC_PEM = key('test-only-main.public.pem');
export const PRIVATE_PEM = key('test-only-main.private.pem');
export const ENCRYPTED_PRIVATE_PEM = key('test-only-main.private.encrypted.pem');
export const OTHER_PUBLIC_PEM = key('test-only-other.public.pem');
export const PASSPHRASE = 'test-only-passphrase';

export const SECRET = 'callback-secret-for-tests-0123';
export const HEADER = 'X-Werk24-Token';

export const trigger = new Werk24Trigger();
export const DEFAULTS = defaultsOf(trigger.description.properties);

export const sequence = loadExample<Array<Record<string, unknown>>>('02-callback-sequence-metadata-sheetimages-features.json');
export const [STARTED, META_DATA, SHEET_IMAGES, FEATURES, COMPLETED] = sequence;

export const callbackCredential = (extra: Record<string, string> = {}) => ({
	headerName: HEADER,
	secret: SECRET,
	publicKey: '',
	privateKey: '',
	passphrase: '',
	...extra,
});

export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** A webhook context with a valid secret, the default parameters and a JSON body. */
export function callbackContext(body: unknown, options: ContextOptions = {}) {
	const { headers, ...rest } = options;
	return makeWebhookContext({
		rawBody: Buffer.isBuffer(body) ? body : json(body),
		defaults: DEFAULTS,
		credentials: { werk24CallbackApi: callbackCredential() },
		...rest,
		headers: { 'x-werk24-token': SECRET, 'content-type': 'application/json', ...headers },
	});
}
