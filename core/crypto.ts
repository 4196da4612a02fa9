// The hybrid scheme of werk24-python utils/crypt.py, byte for byte:
// package = RSA-OAEP(SHA-256, MGF1-SHA-256)(aesKey) ‖ iv (12) ‖ GCM tag (16) ‖ AES-256-GCM ciphertext.
import * as crypto from 'node:crypto';
import type { Problem, Result } from './types';

export interface KeyPair {
	/** SPKI PEM (-----BEGIN PUBLIC KEY-----) */
	publicKey: string;
	/** PKCS#8 PEM, passphrase-encrypted when a passphrase was given */
	privateKey: string;
}

export const AES_KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const MIN_MODULUS_BITS = 2048;
export const DEFAULT_MODULUS_BITS = 3072;

const OAEP = { padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

/** RSA key pair, default 3072 bits; fewer than 2048 bits is a TypeError. */
export function generateKeyPair(options?: { modulusLength?: number; passphrase?: string }): KeyPair {
	const modulusLength = options?.modulusLength ?? DEFAULT_MODULUS_BITS;
	if (!Number.isInteger(modulusLength) || modulusLength < MIN_MODULUS_BITS) {
		throw new TypeError(`modulusLength must be an integer of at least ${MIN_MODULUS_BITS} bits, got ${modulusLength}`);
	}
	const passphrase = options?.passphrase;
	const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', {
		modulusLength,
		publicExponent: 65537,
		publicKeyEncoding: { type: 'spki', format: 'pem' },
		privateKeyEncoding: passphrase
			? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }
			: { type: 'pkcs8', format: 'pem' },
	});
	return { publicKey, privateKey };
}

/** werk24-python utils/crypt.py: RSA-OAEP(SHA-256) wrapped AES-256-GCM key ‖ 12-byte IV ‖ 16-byte tag ‖ ciphertext. */
export function encryptPackage(
	publicKeyPem: string,
	plain: Uint8Array,
	material?: { aesKey: Uint8Array; iv: Uint8Array },
): Buffer {
	// Fixed material exists for known-answer tests; callers otherwise get fresh random bytes.
	const aesKey = material ? Buffer.from(material.aesKey) : crypto.randomBytes(AES_KEY_BYTES);
	const iv = material ? Buffer.from(material.iv) : crypto.randomBytes(IV_BYTES);
	if (aesKey.length !== AES_KEY_BYTES) throw new TypeError(`aesKey must be ${AES_KEY_BYTES} bytes`);
	if (iv.length !== IV_BYTES) throw new TypeError(`iv must be ${IV_BYTES} bytes`);
	const publicKey = crypto.createPublicKey(publicKeyPem);
	if (publicKey.asymmetricKeyType !== 'rsa') throw new TypeError('the public key must be an RSA key');

	const wrappedKey = crypto.publicEncrypt({ key: publicKey, ...OAEP }, aesKey);
	const cipher = crypto.createCipheriv('aes-256-gcm', aesKey, iv, { authTagLength: TAG_BYTES });
	const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
	return Buffer.concat([wrappedKey, iv, cipher.getAuthTag(), ciphertext]);
}

function fail<T>(path: string, reason: string): Result<T> {
	return { ok: false, problems: [{ path, reason }] };
}

function isEncryptedPem(pem: string): boolean {
	return pem.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

/** Reads an RSA private key, or says why it cannot (missing/wrong passphrase vs. not a key at all). */
function readPrivateKey(privateKeyPem: string, passphrase?: string): Result<crypto.KeyObject> {
	const pem = typeof privateKeyPem === 'string' ? privateKeyPem.trim() : '';
	if (!pem) return fail('privateKey', 'private key is empty');
	const encrypted = isEncryptedPem(pem);
	if (encrypted && !passphrase) {
		return fail('passphrase', 'private key is encrypted but no passphrase was given');
	}
	let key: crypto.KeyObject;
	try {
		key = crypto.createPrivateKey(passphrase ? { key: pem, format: 'pem', passphrase } : { key: pem, format: 'pem' });
	} catch {
		return encrypted
			? fail('passphrase', 'private key could not be unlocked: wrong passphrase')
			: fail('privateKey', 'private key is unreadable: expected a PEM private key (-----BEGIN PRIVATE KEY-----)');
	}
	if (key.asymmetricKeyType !== 'rsa') {
		return fail('privateKey', `private key must be an RSA key, got ${String(key.asymmetricKeyType)}`);
	}
	return { ok: true, value: key };
}

function modulusBytes(key: crypto.KeyObject): number {
	return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

/** Never throws for bad input: the reason says what failed (passphrase, truncated, wrong key or tampered). */
export function decryptPackage(privateKeyPem: string, pkg: Uint8Array, passphrase?: string): Result<Buffer> {
	const keyResult = readPrivateKey(privateKeyPem, passphrase);
	if (!keyResult.ok) return keyResult;
	const key = keyResult.value;
	if (!(pkg instanceof Uint8Array)) return fail('package', 'package must be bytes');
	const bytes = Buffer.from(pkg.buffer, pkg.byteOffset, pkg.byteLength);
	const k = modulusBytes(key);
	if (bytes.length < k + IV_BYTES + TAG_BYTES) {
		return fail(
			'package',
			`package truncated: ${bytes.length} bytes, at least ${k + IV_BYTES + TAG_BYTES} needed for a ${k * 8}-bit key`,
		);
	}

	let aesKey: Buffer;
	try {
		aesKey = crypto.privateDecrypt({ key, ...OAEP }, bytes.subarray(0, k));
	} catch {
		return fail('package', 'package was not encrypted for this key (wrong key) or its key block is corrupted');
	}
	if (aesKey.length !== AES_KEY_BYTES) {
		return fail('package', `package is corrupted: wrapped key has ${aesKey.length} bytes, expected ${AES_KEY_BYTES}`);
	}

	try {
		const decipher = crypto.createDecipheriv('aes-256-gcm', aesKey, bytes.subarray(k, k + IV_BYTES), {
			authTagLength: TAG_BYTES,
		});
		decipher.setAuthTag(bytes.subarray(k + IV_BYTES, k + IV_BYTES + TAG_BYTES));
		const plain = Buffer.concat([decipher.update(bytes.subarray(k + IV_BYTES + TAG_BYTES)), decipher.final()]);
		return { ok: true, value: plain };
	} catch {
		return fail('package', 'package was tampered with or corrupted: authentication tag does not match');
	}
}

export function checkPublicKey(publicKeyPem: string): Problem[] {
	const pem = typeof publicKeyPem === 'string' ? publicKeyPem.trim() : '';
	if (!pem) return [{ path: 'publicKey', reason: 'public key is empty' }];
	if (pem.includes('PRIVATE KEY')) {
		return [{ path: 'publicKey', reason: 'this is a private key; paste the public key (-----BEGIN PUBLIC KEY-----)' }];
	}
	let key: crypto.KeyObject;
	try {
		key = crypto.createPublicKey({ key: pem, format: 'pem' });
	} catch {
		return [{ path: 'publicKey', reason: 'public key is unreadable: expected a PEM public key (-----BEGIN PUBLIC KEY-----)' }];
	}
	if (key.asymmetricKeyType !== 'rsa') {
		return [{ path: 'publicKey', reason: `public key must be an RSA key, got ${String(key.asymmetricKeyType)}` }];
	}
	const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
	if (bits < MIN_MODULUS_BITS) {
		return [{ path: 'publicKey', reason: `public key has ${bits} bits; at least ${MIN_MODULUS_BITS} are required` }];
	}
	return [];
}

export function checkPrivateKey(privateKeyPem: string, passphrase?: string): Problem[] {
	const keyResult = readPrivateKey(privateKeyPem, passphrase);
	if (!keyResult.ok) return keyResult.problems;
	const bits = keyResult.value.asymmetricKeyDetails?.modulusLength ?? 0;
	if (bits < MIN_MODULUS_BITS) {
		return [{ path: 'privateKey', reason: `private key has ${bits} bits; at least ${MIN_MODULUS_BITS} are required` }];
	}
	return [];
}

/** Whether the public key belongs to the private key. */
export function keysMatch(publicKeyPem: string, privateKeyPem: string, passphrase?: string): boolean {
	const keyResult = readPrivateKey(privateKeyPem, passphrase);
	if (!keyResult.ok) return false;
	try {
		const fromPrivate = crypto.createPublicKey(keyResult.value).export({ type: 'spki', format: 'der' });
		const given = crypto.createPublicKey({ key: publicKeyPem, format: 'pem' }).export({ type: 'spki', format: 'der' });
		return fromPrivate.equals(given);
	} catch {
		// An unreadable public key cannot belong to anything; checkPublicKey says why.
		return false;
	}
}
