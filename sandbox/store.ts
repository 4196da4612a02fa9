// In-memory, bounded stores: artefacts behind payload_url, and per-request records (the delivery log).
import { randomBytes } from 'node:crypto';
import { encryptPackage } from '../core';
import type { Artefact } from './artefacts';

interface StoredPayload extends Artefact {
	expiresAt: number;
	encrypted: boolean;
}

/** Artefacts by unguessable id (32 random bytes); oldest dropped beyond the entry or byte budget, expired on read and by sweep. */
export class PayloadStore {
	private readonly entries = new Map<string, StoredPayload>();
	private totalBytes = 0;

	constructor(
		private readonly ttlMs: number,
		private readonly maxEntries = 5000,
		private readonly maxBytes = 256 * 1024 * 1024,
	) {}

	private remove(id: string): void {
		const entry = this.entries.get(id);
		if (!entry) return;
		this.totalBytes -= entry.bytes.length;
		this.entries.delete(id);
	}

	/** Stores the artefact (encrypted for `publicKeyPem` when given) and returns its id. */
	put(artefact: Artefact, publicKeyPem: string | null): string {
		const id = randomBytes(32).toString('base64url');
		const bytes = publicKeyPem ? encryptPackage(publicKeyPem, artefact.bytes) : artefact.bytes;
		this.entries.set(id, {
			bytes,
			// The hybrid package is opaque bytes; the client knows what it asked for.
			contentType: publicKeyPem ? 'application/octet-stream' : artefact.contentType,
			fileName: publicKeyPem ? `${artefact.fileName}.enc` : artefact.fileName,
			expiresAt: Date.now() + this.ttlMs,
			encrypted: Boolean(publicKeyPem),
		});
		this.totalBytes += bytes.length;
		while (this.entries.size > this.maxEntries || (this.totalBytes > this.maxBytes && this.entries.size > 1)) {
			this.remove(this.entries.keys().next().value as string);
		}
		return id;
	}

	get(id: string): StoredPayload | null {
		const entry = this.entries.get(id);
		if (!entry) return null;
		if (entry.expiresAt <= Date.now()) {
			this.remove(id);
			return null;
		}
		return entry;
	}

	sweep(): void {
		const now = Date.now();
		for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.remove(id);
	}

	get size(): number {
		return this.entries.size;
	}
}

export interface AttemptRecord {
	attempt: number;
	started_at: string;
	duration_ms: number;
	/** The receiver's HTTP status; null when no response arrived (refused, timeout, dropped by a fault). */
	status: number | null;
	error: string | null;
}

export interface DeliveryRecord {
	index: number;
	message_type: string;
	message_subtype: string;
	page_number: number;
	/** Set when the duplicate fault made this a second delivery of an earlier message. */
	duplicate_of: number | null;
	state: 'pending' | 'delivered' | 'given_up';
	attempts: AttemptRecord[];
	/** The body exactly as POSTed (JSON text, or base64 of the encrypted package). */
	body: string;
	encrypted: boolean;
}

export interface RawPartRecord {
	name: string;
	filename: string | null;
	content_type: string | null;
	/** Field parts: the raw text as received. File parts: null (see size/sha256). */
	raw_value: string | null;
	size: number;
	sha256: string | null;
}

export interface RequestRecord {
	request_id: string;
	flow: 'callback' | 'streaming';
	received_at: string;
	/** Decoded request fields (asks, callback_url, callback_headers, max_pages, client_version, public_key, priority…). */
	fields: Record<string, unknown>;
	parts: RawPartRecord[];
	drawing: { filename: string | null; content_type: string | null; size: number; sha256: string; kind: string | null; pages: number } | null;
	faults: string[];
	state: 'processing' | 'done';
	callbacks: DeliveryRecord[];
	/** Streaming: every frame sent to the client, in order. */
	frames: unknown[];
}

/** Request records by id, bounded so a long-running or fuzzed sandbox does not grow without limit. */
export class RequestLog {
	private readonly records = new Map<string, RequestRecord>();

	constructor(private readonly maxEntries = 1000) {}

	add(record: RequestRecord): void {
		this.records.set(record.request_id, record);
		while (this.records.size > this.maxEntries) this.records.delete(this.records.keys().next().value as string);
	}

	get(id: string): RequestRecord | undefined {
		return this.records.get(id);
	}

	get size(): number {
		return this.records.size;
	}
}
