// Delivers a request's messages to its callback_url: one POST per message, in order, each retried with
// exponential backoff on a non-2xx answer or a timeout, then given up and logged. Everything is recorded
// in the request's DeliveryRecords (read back through GET /sandbox/requests/<id>).
import { setTimeout as sleep } from 'node:timers/promises';
import { encryptPackage, type TechreadMessage } from '../core';
import type { FaultName, FaultRates, SeededRandom } from './faults';
import type { DeliveryRecord, RequestRecord } from './store';

export interface RetryPolicy {
	/** Attempts per message, including the first (default 5). */
	attempts: number;
	/** Wait before the second attempt; doubles each time (default 1000 ms). */
	backoffMs: number;
	/** Upper bound for one wait (default 30 s). */
	maxBackoffMs: number;
	/** Per-attempt timeout (default 10 s). */
	timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 1000, maxBackoffMs: 30_000, timeoutMs: 10_000 };

export interface DeliveryJob {
	record: RequestRecord;
	callbackUrl: string;
	headers: Record<string, string>;
	/** With `encryptBodies`, bodies are encrypted for this key and sent as application/octet-stream. */
	publicKey: string | null;
	/** Planned messages in delivery order; `delayBeforeMs` simulates the service's work. */
	messages: Array<{ message: TechreadMessage; delayBeforeMs: number }>;
	random: SeededRandom;
}

export interface DispatcherOptions {
	retry: RetryPolicy;
	faults: FaultRates;
	slowMs: number;
	encryptBodies: boolean;
}

export class CallbackDispatcher {
	private readonly abort = new AbortController();
	private readonly running = new Set<Promise<void>>();
	/** Messages POSTed with a 2xx answer since start (for the benchmark). */
	delivered = 0;

	constructor(private readonly options: DispatcherOptions) {}

	/** Starts delivery in the background; never rejects. */
	start(job: DeliveryJob): void {
		const run = this.run(job)
			.catch((error: unknown) => {
				// Only a shutdown interrupts delivery; the record keeps what happened so far.
				if (!this.abort.signal.aborted) job.record.faults.push(`delivery stopped: ${String(error)}`);
			})
			.finally(() => {
				job.record.state = 'done';
				this.running.delete(run);
			});
		this.running.add(run);
	}

	get pending(): number {
		return this.running.size;
	}

	/** Waits until every running delivery finished (tests, benchmark). */
	async idle(): Promise<void> {
		while (this.running.size > 0) await Promise.allSettled([...this.running]);
	}

	/** Stops all deliveries at once (pending waits are aborted). */
	close(): void {
		this.abort.abort();
	}

	private hits(job: DeliveryJob, name: FaultName): boolean {
		// One draw per decision keeps the sequence reproducible from the seed.
		return job.random.next() < this.options.faults[name];
	}

	private async run(job: DeliveryJob): Promise<void> {
		const signal = this.abort.signal;
		for (const { message, delayBeforeMs } of job.messages) {
			const slow = this.hits(job, 'slow');
			const duplicate = this.hits(job, 'duplicate');
			const dropFirst = this.hits(job, 'dropFirstAttempt');
			const wait = delayBeforeMs + (slow ? this.options.slowMs : 0);
			if (wait > 0) await sleep(wait, undefined, { signal });
			const delivery = this.newRecord(job, message, null);
			if (slow) job.record.faults.push(`slow: message ${delivery.index}`);
			if (dropFirst) job.record.faults.push(`dropFirstAttempt: message ${delivery.index}`);
			await this.deliver(job, delivery, dropFirst);
			if (duplicate) {
				job.record.faults.push(`duplicate: message ${delivery.index}`);
				await this.deliver(job, this.newRecord(job, message, delivery.index), false);
			}
		}
	}

	private newRecord(job: DeliveryJob, message: TechreadMessage, duplicateOf: number | null): DeliveryRecord {
		const json = JSON.stringify(message);
		const encrypted = this.options.encryptBodies && job.publicKey !== null;
		const record: DeliveryRecord = {
			index: job.record.callbacks.length,
			message_type: message.message_type,
			message_subtype: message.message_subtype,
			page_number: message.page_number,
			duplicate_of: duplicateOf,
			state: 'pending',
			attempts: [],
			body: encrypted && job.publicKey ? encryptPackage(job.publicKey, Buffer.from(json)).toString('base64') : json,
			encrypted,
		};
		job.record.callbacks.push(record);
		return record;
	}

	private async deliver(job: DeliveryJob, delivery: DeliveryRecord, dropFirst: boolean): Promise<void> {
		const { retry } = this.options;
		const signal = this.abort.signal;
		const body = delivery.encrypted ? Buffer.from(delivery.body, 'base64') : delivery.body;
		const contentType = delivery.encrypted ? 'application/octet-stream' : 'application/json';
		for (let attempt = 1; attempt <= retry.attempts; attempt++) {
			if (attempt > 1) {
				await sleep(Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** (attempt - 2)), undefined, { signal });
			}
			const started = Date.now();
			const entry = { attempt, started_at: new Date(started).toISOString(), duration_ms: 0, status: null as number | null, error: null as string | null };
			delivery.attempts.push(entry);
			if (attempt === 1 && dropFirst) {
				entry.error = 'dropped by fault injection (never sent)';
				continue;
			}
			try {
				const response = await fetch(job.callbackUrl, {
					method: 'POST',
					headers: { ...job.headers, 'content-type': contentType, 'user-agent': 'werk24-sandbox' },
					body,
					redirect: 'manual',
					signal: AbortSignal.any([signal, AbortSignal.timeout(retry.timeoutMs)]),
				});
				entry.status = response.status;
				// The body is not needed; cancelling frees the connection.
				await response.body?.cancel();
			} catch (error) {
				if (signal.aborted) throw error;
				entry.error = error instanceof Error ? `${error.name}: ${(error.cause as Error | undefined)?.message ?? error.message}` : String(error);
			}
			entry.duration_ms = Date.now() - started;
			if (entry.status !== null && entry.status >= 200 && entry.status < 300) {
				delivery.state = 'delivered';
				this.delivered++;
				return;
			}
		}
		delivery.state = 'given_up';
	}
}
