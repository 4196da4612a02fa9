import type { Result } from './types';

/** payload_url download rule: http(s) only; no localhost/loopback/private/link-local/metadata hosts unless allowed. */
export function checkDownloadUrl(url: string, options?: { apiUrl?: string; allowedHosts?: string[] }): Result<URL> {
	throw new Error('not implemented yet' + String([url, options]));
}

/** localhost names and literal loopback, private, link-local, CGNAT, metadata and unspecified addresses (v4, v6, v4-mapped v6). */
export function isLocalOrPrivateHost(hostname: string): boolean {
	throw new Error('not implemented yet' + hostname);
}

/** The URL without its query string and fragment: safe to show in errors and logs. */
export function redactUrl(url: string): string {
	throw new Error('not implemented yet' + url);
}
