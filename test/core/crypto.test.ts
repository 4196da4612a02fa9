import * as crypto from 'node:crypto';
import fc from 'fast-check';
import {
	checkPrivateKey,
	checkPublicKey,
	decryptPackage,
	encryptPackage,
	generateKeyPair,
	keysMatch,
} from '../../core';
import { testKey as read } from '../fixtures/testKeys';

const mainPublic = read('test-only-main.public.pem');
const mainPrivate = read('test-only-main.private.pem');
const mainPrivateEncrypted = read('test-only-main.private.encrypted.pem');
const otherPublic = read('test-only-other.public.pem');
const otherPrivate = read('test-only-other.private.pem');
const vector = JSON.parse(read('vector.json')) as Record<string, string>;
const hex = (name: string) => Buffer.from(vector[name], 'hex');
const sha256 = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');

function expectFailure(result: ReturnType<typeof decryptPackage>, pattern: RegExp): void {
	expect(result.ok).toBe(false);
	if (!result.ok) expect(result.problems.map((p) => p.reason).join(' | ')).toMatch(pattern);
}

describe('generateKeyPair', () => {
	it('makes a 3072-bit SPKI/PKCS#8 pair by default that encrypts and decrypts', () => {
		const pair = generateKeyPair();
		expect(pair.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
		expect(pair.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
		expect(crypto.createPublicKey(pair.publicKey).asymmetricKeyDetails?.modulusLength).toBe(3072);
		const pkg = encryptPackage(pair.publicKey, Buffer.from('hello'));
		expect(pkg.length).toBe(384 + 12 + 16 + 5);
		const result = decryptPackage(pair.privateKey, pkg);
		expect(result.ok && result.value.toString()).toBe('hello');
	});

	it('encrypts the private key with the passphrase (aes-256-cbc PKCS#8)', () => {
		const pair = generateKeyPair({ modulusLength: 2048, passphrase: 'correct horse' });
		expect(pair.privateKey).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
		expect(() => crypto.createPrivateKey(pair.privateKey)).toThrow();
		expect(crypto.createPrivateKey({ key: pair.privateKey, passphrase: 'correct horse' }).asymmetricKeyType).toBe('rsa');
		expect(keysMatch(pair.publicKey, pair.privateKey, 'correct horse')).toBe(true);
	});

	it.each([1024, 2047, 0, -1, 2048.5, Number.NaN])('rejects modulusLength %p with a TypeError', (bits) => {
		expect(() => generateKeyPair({ modulusLength: bits })).toThrow(TypeError);
	});
});

describe('encryptPackage / decryptPackage round trips', () => {
	it.each([
		['0 B', 0],
		['1 B', 1],
		['10 MB', 10 * 1024 * 1024],
	])('%s', (_label, size) => {
		const plain = crypto.randomBytes(size);
		const pkg = encryptPackage(mainPublic, plain);
		expect(pkg.length).toBe(256 + 12 + 16 + size);
		const result = decryptPackage(mainPrivate, pkg);
		expect(result.ok).toBe(true);
		if (result.ok) expect(result.value.equals(plain)).toBe(true);
	});

	it('decrypts with the passphrase-protected copy of the key', () => {
		const pkg = encryptPackage(mainPublic, Buffer.from('secret drawing'));
		const result = decryptPackage(mainPrivateEncrypted, pkg, vector.passphrase);
		expect(result.ok && result.value.toString()).toBe('secret drawing');
	});

	it('property: any bytes survive a round trip', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 2048 }), (plain) => {
				const result = decryptPackage(mainPrivate, encryptPackage(mainPublic, plain));
				return result.ok && Buffer.compare(result.value, Buffer.from(plain)) === 0;
			}),
			{ numRuns: 50 },
		);
	});
});

describe('known-answer vector (werk24-python utils/crypt.py scheme, built independently)', () => {
	it('decrypts the fixed package to the fixed plaintext', () => {
		const pkg = hex('packageHex');
		expect(sha256(pkg)).toBe(vector.packageSha256);
		const result = decryptPackage(mainPrivate, pkg);
		expect(result.ok).toBe(true);
		if (result.ok) expect(result.value.toString('hex')).toBe(vector.plaintextHex);
	});

	it('with the same AES key and IV, produces the same IV ‖ tag ‖ ciphertext bytes', () => {
		const pkg = encryptPackage(mainPublic, hex('plaintextHex'), { aesKey: hex('aesKeyHex'), iv: hex('ivHex') });
		const tail = pkg.subarray(256);
		expect(tail.toString('hex')).toBe(vector.ivHex + vector.tagHex + vector.ciphertextHex);
		expect(sha256(tail)).toBe(vector.deterministicTailSha256);
		// The wrapped key is randomised by OAEP; it must still unwrap to the given AES key.
		const unwrapped = crypto.privateDecrypt(
			{ key: mainPrivate, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
			pkg.subarray(0, 256),
		);
		expect(unwrapped.toString('hex')).toBe(vector.aesKeyHex);
	});

	it('decrypts a package assembled by hand from node:crypto primitives', () => {
		const aesKey = Buffer.alloc(32, 7);
		const iv = Buffer.alloc(12, 9);
		const plain = Buffer.from('assembled by hand');
		const cipher = crypto.createCipheriv('aes-256-gcm', aesKey, iv);
		const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
		const wrapped = crypto.publicEncrypt(
			{ key: mainPublic, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
			aesKey,
		);
		const pkg = Buffer.concat([wrapped, iv, cipher.getAuthTag(), ciphertext]);
		const result = decryptPackage(mainPrivate, pkg);
		expect(result.ok && result.value.toString()).toBe('assembled by hand');
	});

	it('rejects material of the wrong length (caller misuse)', () => {
		expect(() => encryptPackage(mainPublic, Buffer.alloc(1), { aesKey: Buffer.alloc(16), iv: Buffer.alloc(12) })).toThrow(
			TypeError,
		);
		expect(() => encryptPackage(mainPublic, Buffer.alloc(1), { aesKey: Buffer.alloc(32), iv: Buffer.alloc(16) })).toThrow(
			TypeError,
		);
	});
});

describe('decryptPackage failures say what failed and never throw', () => {
	const pkg = encryptPackage(mainPublic, Buffer.from('x'.repeat(64)));

	it('tampering with any single byte fails (property over positions)', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: pkg.length - 1 }), fc.integer({ min: 1, max: 255 }), (position, mask) => {
				const tampered = Buffer.from(pkg);
				tampered[position] ^= mask;
				const result = decryptPackage(mainPrivate, tampered);
				if (result.ok) return false;
				const reason = result.problems[0].reason;
				return position < 256 ? /wrong key|corrupted/.test(reason) : /tampered/.test(reason);
			}),
			{ numRuns: 300 },
		);
	});

	it('every byte of the IV, tag and ciphertext is covered', () => {
		for (let position = 256; position < pkg.length; position++) {
			const tampered = Buffer.from(pkg);
			tampered[position] ^= 0x01;
			expectFailure(decryptPackage(mainPrivate, tampered), /tampered/);
		}
	});

	it('truncated package', () => {
		expectFailure(decryptPackage(mainPrivate, pkg.subarray(0, 283)), /truncated/);
		expectFailure(decryptPackage(mainPrivate, Buffer.alloc(0)), /truncated/);
		// Dropping ciphertext bytes keeps the header but breaks the tag.
		expectFailure(decryptPackage(mainPrivate, pkg.subarray(0, pkg.length - 1)), /tampered/);
	});

	it('wrong key', () => {
		expectFailure(decryptPackage(otherPrivate, pkg), /wrong key/);
	});

	it('wrong or missing passphrase', () => {
		expectFailure(decryptPackage(mainPrivateEncrypted, pkg, 'not the passphrase'), /wrong passphrase/);
		expectFailure(decryptPackage(mainPrivateEncrypted, pkg), /no passphrase/);
	});

	it('unreadable private key', () => {
		expectFailure(decryptPackage('not a key', pkg), /unreadable/);
		expectFailure(decryptPackage('', pkg), /empty/);
		expectFailure(decryptPackage(mainPublic, pkg), /unreadable/);
		const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
		expectFailure(decryptPackage(String(ec), pkg), /RSA/);
	});

	it('never throws on arbitrary inputs', () => {
		fc.assert(
			fc.property(fc.string(), fc.uint8Array({ maxLength: 600 }), fc.option(fc.string()), (pem, bytes, pass) => {
				const result = decryptPackage(pem, bytes, pass ?? undefined);
				return result.ok === false;
			}),
			{ numRuns: 200 },
		);
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => decryptPackage(mainPrivate, bytes).ok === false),
			{ numRuns: 200 },
		);
	});
});

describe('key checks', () => {
	it('accepts the fixture keys', () => {
		expect(checkPublicKey(mainPublic)).toEqual([]);
		expect(checkPrivateKey(mainPrivate)).toEqual([]);
		expect(checkPrivateKey(mainPrivateEncrypted, vector.passphrase)).toEqual([]);
	});

	it('explains bad public keys', () => {
		expect(checkPublicKey('')[0].reason).toMatch(/empty/);
		expect(checkPublicKey('garbage')[0].reason).toMatch(/unreadable/);
		expect(checkPublicKey(mainPrivate)[0].reason).toMatch(/private key/);
		const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' });
		expect(checkPublicKey(String(small))[0].reason).toMatch(/1024 bits/);
		const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
		expect(checkPublicKey(String(ec))[0].reason).toMatch(/RSA/);
	});

	it('explains bad private keys', () => {
		expect(checkPrivateKey('garbage')[0].reason).toMatch(/unreadable/);
		expect(checkPrivateKey(mainPrivateEncrypted)[0]).toEqual(expect.objectContaining({ path: 'passphrase' }));
		expect(checkPrivateKey(mainPrivateEncrypted, 'wrong')[0].reason).toMatch(/wrong passphrase/);
		const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
		expect(checkPrivateKey(String(small))[0].reason).toMatch(/1024 bits/);
	});

	it('keysMatch', () => {
		expect(keysMatch(mainPublic, mainPrivate)).toBe(true);
		expect(keysMatch(mainPublic, mainPrivateEncrypted, vector.passphrase)).toBe(true);
		expect(keysMatch(otherPublic, mainPrivate)).toBe(false);
		expect(keysMatch(mainPublic, otherPrivate)).toBe(false);
		expect(keysMatch(mainPublic, mainPrivateEncrypted, 'wrong')).toBe(false);
		expect(keysMatch('garbage', mainPrivate)).toBe(false);
	});
});
