import { Werk24Api } from '../../credentials/Werk24Api.credentials';
import { Werk24CallbackApi } from '../../credentials/Werk24CallbackApi.credentials';
import { authenticateHeaders } from '../helpers/executeContext';

const fields = (properties: Array<{ name: string; default: unknown; typeOptions?: { password?: boolean }; required?: boolean }>) =>
	properties.map((p) => ({ name: p.name, default: p.default, password: p.typeOptions?.password ?? false, required: p.required ?? false }));

describe('Werk24 API credential (contract)', () => {
	const credential = new Werk24Api();

	it('keeps its name and fields (saved credentials depend on them)', () => {
		expect(credential.name).toBe('werk24Api');
		expect(credential.displayName).toBe('Werk24 API');
		expect(fields(credential.properties)).toEqual([
			{ name: 'token', default: '', password: true, required: true },
			{ name: 'apiUrl', default: 'https://api.w24.co', password: false, required: true },
			{ name: 'streamingUrl', default: 'wss://ws-api.w24.co/v2', password: false, required: false },
		]);
	});

	it('lets n8n send Authorization: Token <token> (nodes never build the header)', () => {
		expect(credential.authenticate).toEqual({
			type: 'generic',
			properties: { headers: { Authorization: '=Token {{$credentials.token}}' } },
		});
		expect(authenticateHeaders({ token: 'abc123' })).toEqual({ Authorization: 'Token abc123' });
	});

	it('has light and dark icons and documentation', () => {
		expect(credential.icon).toEqual({ light: 'file:../nodes/Werk24/werk24.svg', dark: 'file:../nodes/Werk24/werk24.dark.svg' });
		expect(credential.documentationUrl).toMatch(/^https:\/\//);
	});
});

describe('Werk24 Callback Security credential (contract)', () => {
	const credential = new Werk24CallbackApi();

	it('keeps its name and fields; every secret is a password field', () => {
		expect(credential.name).toBe('werk24CallbackApi');
		expect(credential.displayName).toBe('Werk24 Callback Security API');
		expect(fields(credential.properties)).toEqual([
			{ name: 'headerName', default: 'X-Werk24-Token', password: false, required: true },
			{ name: 'secret', default: '', password: true, required: true },
			{ name: 'publicKey', default: '', password: false, required: false },
			{ name: 'privateKey', default: '', password: true, required: false },
			{ name: 'passphrase', default: '', password: true, required: false },
		]);
	});

	it('attaches nothing to requests by itself (the node sends the secret as a callback header)', () => {
		expect((credential as { authenticate?: unknown }).authenticate).toBeUndefined();
	});
});
