import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt } from 'crypto';

import { checkCallbackSecurity } from '../../../../../nodes/Werk24/methods/credentialTest';
import { createExecuteContext } from '../../../../helpers/executeContext';

describe('Encryption → Generate Key Pair', () => {
	it('outputs an RSA-3072 SPKI public key and a PKCS#8 private key that belong together, without any HTTP', async () => {
		const run = createExecuteContext({ parameters: { resource: 'encryption', operation: 'generateKeyPair' } });
		const [[item]] = await run.run();
		const { public_key: publicKey, private_key: privateKey } = item.json as { public_key: string; private_key: string };

		expect(publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
		expect(privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
		expect(createPublicKey(publicKey).asymmetricKeyDetails?.modulusLength).toBe(3072);
		const secret = Buffer.from('round trip');
		const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, secret);
		expect(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped)).toEqual(secret);
		expect(run.httpCalls).toHaveLength(0);
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('encrypts the private key with the passphrase, and the pair passes the credential test', async () => {
		const run = createExecuteContext({
			parameters: { resource: 'encryption', operation: 'generateKeyPair', passphrase: 'correct horse battery' },
		});
		const [[item]] = await run.run();
		const privateKey = String(item.json.private_key);
		expect(privateKey).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
		expect(() => createPrivateKey({ key: privateKey, passphrase: 'wrong' })).toThrow();
		expect(createPrivateKey({ key: privateKey, passphrase: 'correct horse battery' }).asymmetricKeyType).toBe('rsa');
		expect(
			checkCallbackSecurity({
				headerName: 'X-Werk24-Token',
				secret: 'sixteen-chars-ok',
				publicKey: String(item.json.public_key),
				privateKey,
				passphrase: 'correct horse battery',
			}),
		).toEqual({ status: 'OK', message: expect.stringContaining('key pair matches') });
	});
});
