// payload_url guard. Names are never resolved (verified community nodes may not do DNS look-ups);
// literal addresses and localhost names are refused here, resolved names are left to n8n's own SSRF protection.
import type { Result } from './types';

const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'metadata.google.internal']);

/** [first address, prefix length] — loopback, private, CGNAT, link-local/metadata, unspecified, benchmark, multicast, reserved. */
const BLOCKED_V4: Array<[string, number]> = [
	['0.0.0.0', 8],
	['10.0.0.0', 8],
	['100.64.0.0', 10],
	['127.0.0.0', 8],
	['169.254.0.0', 16],
	['172.16.0.0', 12],
	['192.0.0.0', 24],
	['192.168.0.0', 16],
	['198.18.0.0', 15],
	['224.0.0.0', 4],
	['240.0.0.0', 4],
];

function parseDottedV4(text: string): number | null {
	const parts = text.split('.');
	if (parts.length !== 4) return null;
	let value = 0;
	for (const part of parts) {
		// Leading zeros mean octal to HTTP clients: leave those to the WHATWG canonicaliser.
		if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
		const octet = Number(part);
		if (octet > 255) return null;
		value = value * 256 + octet;
	}
	return value;
}

function isBlockedV4(address: number): boolean {
	return BLOCKED_V4.some(([base, bits]) => {
		const size = 2 ** (32 - bits);
		const start = parseDottedV4(base) as number;
		return address >= start && address < start + size;
	});
}

/** Eight 16-bit groups, or null when the text is not an IPv6 address. Accepts an embedded dotted IPv4 tail. */
function parseV6(text: string): number[] | null {
	let rest = text.split('%')[0];
	const groups: number[] = [];
	const lastColon = rest.lastIndexOf(':');
	const tail = rest.slice(lastColon + 1);
	if (tail.includes('.')) {
		const v4 = parseDottedV4(tail);
		if (v4 === null) return null;
		rest = `${rest.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
	}
	const halves = rest.split('::');
	if (halves.length > 2) return null;
	const toGroups = (part: string): number[] | null => {
		if (part === '') return [];
		const out: number[] = [];
		for (const group of part.split(':')) {
			if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
			out.push(parseInt(group, 16));
		}
		return out;
	};
	const head = toGroups(halves[0]);
	const back = halves.length === 2 ? toGroups(halves[1]) : [];
	if (!head || !back) return null;
	if (halves.length === 1) {
		if (head.length !== 8) return null;
		return head;
	}
	const missing = 8 - head.length - back.length;
	if (missing < 1) return null;
	groups.push(...head, ...new Array<number>(missing).fill(0), ...back);
	return groups;
}

function isBlockedV6(groups: number[]): boolean {
	const [g0, g1, g2, g3, g4, g5, g6, g7] = groups;
	const embeddedV4 = (g6 * 0x10000 + g7) >>> 0;
	const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
	if (firstFiveZero && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1)) return true; // :: and ::1
	if (firstFiveZero && (g5 === 0xffff || g5 === 0)) return isBlockedV4(embeddedV4); // v4-mapped, v4-compatible
	if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isBlockedV4(embeddedV4); // NAT64
	if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
	if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return true; // link-local, old site-local
	if ((g0 & 0xff00) === 0xff00) return true; // multicast
	return false;
}

function normaliseHostname(hostname: string): string {
	let host = hostname.trim().toLowerCase();
	if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
	while (host.endsWith('.')) host = host.slice(0, -1);
	return host;
}

/** localhost names and literal loopback, private, link-local, CGNAT, metadata and unspecified addresses (v4, v6, v4-mapped v6). */
export function isLocalOrPrivateHost(hostname: string): boolean {
	if (typeof hostname !== 'string') return false;
	const host = normaliseHostname(hostname);
	if (host === '') return true;
	if (LOCAL_NAMES.has(host) || host.endsWith('.localhost')) return true;
	if (host.includes(':')) {
		const groups = parseV6(host);
		return groups !== null && isBlockedV6(groups);
	}
	const dotted = parseDottedV4(host);
	if (dotted !== null) return isBlockedV4(dotted);
	// Let the WHATWG parser canonicalise shorthand IPv4 (127.1, 0x7f000001, 2130706433) the way an HTTP client would.
	if (/^[0-9a-fx.]+$/.test(host)) {
		const canonical = URL.canParse(`http://${host}/`) ? new URL(`http://${host}/`).hostname : '';
		const value = parseDottedV4(canonical);
		return value !== null && isBlockedV4(value);
	}
	return false;
}

/** "host", "host:port", "[v6]:port" or a URL → { hostname, port } (port '' = any). */
function parseAllowedEntry(entry: string): { hostname: string; port: string } | null {
	const text = entry.trim().toLowerCase();
	if (!text) return null;
	const asUrl = text.includes('://') ? text : `http://${text}`;
	if (!URL.canParse(asUrl)) return null;
	const url = new URL(asUrl);
	// new URL drops default ports; an entry that names one explicitly still means that port.
	const explicitPort = /:(\d+)\/?$/.exec(text)?.[1] ?? '';
	return { hostname: normaliseHostname(url.hostname), port: url.port || explicitPort };
}

function effectivePort(url: URL): string {
	if (url.port) return url.port;
	return url.protocol === 'https:' ? '443' : '80';
}

function isExempt(url: URL, options?: { apiUrl?: string; allowedHosts?: string[] }): boolean {
	const hostname = normaliseHostname(url.hostname);
	const port = effectivePort(url);
	if (options?.apiUrl && URL.canParse(options.apiUrl)) {
		// The API's own host serves payload URLs (the sandbox does so on loopback): trust that host.
		if (normaliseHostname(new URL(options.apiUrl).hostname) === hostname) return true;
	}
	for (const entry of options?.allowedHosts ?? []) {
		const allowed = parseAllowedEntry(entry);
		if (allowed && allowed.hostname === hostname && (allowed.port === '' || allowed.port === port)) return true;
	}
	return false;
}

/** payload_url download rule: http(s) only; no localhost/loopback/private/link-local/metadata hosts unless allowed. */
export function checkDownloadUrl(url: string, options?: { apiUrl?: string; allowedHosts?: string[] }): Result<URL> {
	if (typeof url !== 'string' || !URL.canParse(url)) {
		return { ok: false, problems: [{ path: 'payload_url', reason: 'payload_url is not a valid URL' }] };
	}
	const parsed = new URL(url);
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		return {
			ok: false,
			problems: [{ path: 'payload_url', reason: `payload_url must use http or https, not ${parsed.protocol.replace(':', '')}` }],
		};
	}
	if (isLocalOrPrivateHost(parsed.hostname) && !isExempt(parsed, options)) {
		return {
			ok: false,
			problems: [
				{
					path: 'payload_url',
					reason: `download host ${parsed.host} is local or private`,
				},
			],
		};
	}
	return { ok: true, value: parsed };
}

/** The URL without its query string and fragment: safe to show in errors and logs. */
export function redactUrl(url: string): string {
	if (typeof url !== 'string') return '';
	if (URL.canParse(url)) {
		const parsed = new URL(url);
		parsed.search = '';
		parsed.hash = '';
		parsed.username = '';
		parsed.password = '';
		return parsed.toString();
	}
	return url.split(/[?#]/)[0];
}
