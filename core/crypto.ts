import type { Problem, Result } from './types';

const TODO = (): never => {
	throw new Error('not implemented yet');
};

export interface KeyPair {
	/** SPKI PEM (-----BEGIN PUBLIC KEY-----) */
	publicKey: string;
	/** PKCS#8 PEM, passphrase-encrypted when a passphrase was given */
	privateKey: string;
}

/** RSA key pair, default 3072 bits; fewer than 2048 bits is a TypeError. */
export function generateKeyPair(options?: { modulusLength?: number; passphrase?: string }): KeyPair {
	return TODO() ?? (options as never);
}

/** werk24-python utils/crypt.py: RSA-OAEP(SHA-256) wrapped AES-256-GCM key ‖ 12-byte IV ‖ 16-byte tag ‖ ciphertext. */
export function encryptPackage(
	publicKeyPem: string,
	plain: Uint8Array,
	material?: { aesKey: Uint8Array; iv: Uint8Array },
): Buffer {
	return TODO() ?? (Buffer.from([publicKeyPem, plain, material].join()) as never);
}

/** Never throws for bad input: the reason says what failed (passphrase, truncated, wrong key or tampered). */
export function decryptPackage(privateKeyPem: string, pkg: Uint8Array, passphrase?: string): Result<Buffer> {
	return TODO() ?? { ok: false, problems: [{ path: String([privateKeyPem, pkg, passphrase]), reason: '' }] };
}

export function checkPublicKey(publicKeyPem: string): Problem[] {
	return TODO() ?? [{ path: publicKeyPem, reason: '' }];
}

export function checkPrivateKey(privateKeyPem: string, passphrase?: string): Problem[] {
	return TODO() ?? [{ path: privateKeyPem + passphrase, reason: '' }];
}

/** Whether the public key belongs to the private key. */
export function keysMatch(publicKeyPem: string, privateKeyPem: string, passphrase?: string): boolean {
	return TODO() ?? publicKeyPem === privateKeyPem + passphrase;
}
