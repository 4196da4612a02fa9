// The sandbox's options and shared state, handed to every route.
import type { Priority, TechreadMessage } from '../core';
import { CallbackDispatcher, DEFAULT_RETRY, type RetryPolicy } from './callbacks';
import type { InspectedDrawing } from './drawing';
import { FaultInjector, SeededRandom, type FaultRates } from './faults';
import { internalErrorMessage, planAskMessages, progressMessage } from './results';
import { PayloadStore, RequestLog } from './store';

export interface SandboxOptions {
	/** 0 = any free port (default 0). */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** The license token the sandbox accepts (default "sandbox-token"). */
	token?: string;
	/** Simulated work before each ASK message (default 250 ms; tests use 0). */
	callbackLatencyMs?: number;
	/** Fault rates, each 0..1 (all off by default). */
	faults?: Partial<FaultRates>;
	/** Extra delay of the "slow" fault (default 2000 ms). */
	slowMs?: number;
	/** Seed of all fault decisions (default 24). */
	seed?: number | string;
	retry?: Partial<RetryPolicy>;
	/** Lifetime of payload_url downloads (default 1 h). */
	payloadTtlMs?: number;
	/** Also encrypt callback bodies when the request carried a public_key (off: the real behaviour is undocumented). */
	encryptCallbackBodies?: boolean;
	/** Base URL put into payload_url and presigned uploads (default: the URL the sandbox listens on). */
	publicUrl?: string;
	/** Streaming: the account tier; a READ asking for a higher priority gets PRIORITY_TOO_HIGH (default PRIO3 = all allowed). */
	accountTier?: Priority;
	/** Streaming: hand out a server public key in INITIALIZATION_SUCCESS and expect encrypted uploads. */
	serverPublicKey?: boolean;
}

export interface ResolvedOptions {
	port: number;
	host: string;
	token: string;
	callbackLatencyMs: number;
	faults: FaultRates;
	slowMs: number;
	seed: number | string;
	retry: RetryPolicy;
	payloadTtlMs: number;
	encryptCallbackBodies: boolean;
	publicUrl: string | null;
	accountTier: Priority;
	serverPublicKey: boolean;
}

export interface SandboxContext {
	options: ResolvedOptions;
	faults: FaultInjector;
	payloads: PayloadStore;
	requests: RequestLog;
	dispatcher: CallbackDispatcher;
	/** The base URL clients reach the sandbox at (known once listening). */
	baseUrl: () => string;
}

export function createContext(input: SandboxOptions, baseUrl: () => string): SandboxContext {
	const faultInjector = new FaultInjector(input.faults, new SeededRandom(input.seed ?? 24));
	const options: ResolvedOptions = {
		port: input.port ?? 0,
		host: input.host ?? '127.0.0.1',
		token: input.token ?? 'sandbox-token',
		callbackLatencyMs: input.callbackLatencyMs ?? 250,
		faults: faultInjector.rates,
		slowMs: input.slowMs ?? 2000,
		seed: input.seed ?? 24,
		retry: { ...DEFAULT_RETRY, ...input.retry },
		payloadTtlMs: input.payloadTtlMs ?? 3_600_000,
		encryptCallbackBodies: input.encryptCallbackBodies ?? false,
		publicUrl: input.publicUrl ?? null,
		accountTier: input.accountTier ?? 'PRIO3',
		serverPublicKey: input.serverPublicKey ?? false,
	};
	if (!options.token) throw new TypeError('The sandbox needs a non-empty token');
	return {
		options,
		faults: faultInjector,
		payloads: new PayloadStore(options.payloadTtlMs),
		requests: new RequestLog(),
		dispatcher: new CallbackDispatcher({
			retry: options.retry,
			faults: options.faults,
			slowMs: options.slowMs,
			encryptBodies: options.encryptCallbackBodies,
		}),
		baseUrl: () => options.publicUrl ?? baseUrl(),
	};
}

export interface PreparedMessage {
	message: TechreadMessage;
	/** Simulated work before this message. */
	delayBeforeMs: number;
}

/**
 * STARTED → ASK… → COMPLETED for one request, artefacts stored behind payload_url (encrypted for
 * `publicKey`), with the request-level faults (reorder, internalError) applied and noted in `faultLog`.
 */
export async function prepareMessages(
	ctx: SandboxContext,
	requestId: string,
	drawing: InspectedDrawing,
	asks: Parameters<typeof planAskMessages>[2],
	maxPages: number,
	publicKey: string | null,
	random: SeededRandom,
	faultLog: string[],
): Promise<PreparedMessage[]> {
	const planned = await planAskMessages(requestId, drawing, asks, maxPages);
	const asksOut = planned.map(({ message, artefact }) => {
		if (artefact) message.payload_url = `${ctx.baseUrl()}/payloads/${ctx.payloads.put(artefact, publicKey)}`;
		return message;
	});
	const rates = ctx.options.faults;
	if (random.next() < rates.reorder) {
		random.shuffle(asksOut);
		faultLog.push('reorder: ASK messages shuffled');
	}
	const latency = ctx.options.callbackLatencyMs;
	const messages: PreparedMessage[] = [
		{ message: progressMessage(requestId, 'STARTED'), delayBeforeMs: 0 },
		...asksOut.map((message) => ({ message, delayBeforeMs: latency })),
	];
	if (random.next() < rates.internalError) {
		const cut = 1 + Math.floor(random.next() * asksOut.length);
		faultLog.push(`internalError: ERROR/INTERNAL after ${cut - 1} ASK messages, no COMPLETED`);
		return [...messages.slice(0, cut), { message: internalErrorMessage(requestId), delayBeforeMs: latency }];
	}
	return [...messages, { message: progressMessage(requestId, 'COMPLETED'), delayBeforeMs: 0 }];
}
