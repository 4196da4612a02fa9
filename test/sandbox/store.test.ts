import { decryptPackage, generateKeyPair } from '../../core';
import { PayloadStore, RequestLog, type RequestRecord } from '../../sandbox/store';

const artefact = (size: number) => ({ bytes: Buffer.alloc(size, 1), contentType: 'image/png', fileName: 'a.png' });

describe('PayloadStore', () => {
	it('drops the oldest entries beyond the byte budget', () => {
		const store = new PayloadStore(60_000, 100, 1000);
		const ids = [400, 400, 400].map((size) => store.put(artefact(size), null));
		expect(store.get(ids[0])).toBeNull();
		expect(store.get(ids[1])?.bytes.length).toBe(400);
		expect(store.get(ids[2])?.bytes.length).toBe(400);
	});

	it('drops the oldest entries beyond the entry budget and hands out distinct unguessable ids', () => {
		const store = new PayloadStore(60_000, 2);
		const ids = [1, 2, 3].map(() => store.put(artefact(10), null));
		expect(new Set(ids).size).toBe(3);
		expect(ids.every((id) => /^[A-Za-z0-9_-]{43}$/.test(id))).toBe(true);
		expect(store.size).toBe(2);
		expect(store.get(ids[0])).toBeNull();
	});

	it('stores the hybrid package for a public key, as octet-stream', () => {
		const keys = generateKeyPair({ modulusLength: 2048 });
		const store = new PayloadStore(60_000);
		const entry = store.get(store.put(artefact(50), keys.publicKey))!;
		expect(entry).toMatchObject({ contentType: 'application/octet-stream', fileName: 'a.png.enc', encrypted: true });
		const plain = decryptPackage(keys.privateKey, entry.bytes);
		expect(plain.ok && plain.value.equals(Buffer.alloc(50, 1))).toBe(true);
	});

	it('forgets expired entries on sweep', async () => {
		const store = new PayloadStore(20);
		store.put(artefact(10), null);
		await new Promise((resolve) => setTimeout(resolve, 40));
		store.sweep();
		expect(store.size).toBe(0);
	});
});

describe('RequestLog', () => {
	it('keeps at most maxEntries records, dropping the oldest', () => {
		const log = new RequestLog(2);
		for (const id of ['a', 'b', 'c']) log.add({ request_id: id } as RequestRecord);
		expect([log.get('a'), log.get('b')?.request_id, log.get('c')?.request_id]).toEqual([undefined, 'b', 'c']);
	});
});
