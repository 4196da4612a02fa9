import fc from 'fast-check';
import { checkDownloadUrl, isLocalOrPrivateHost, redactUrl } from '../../core';

function reason(url: string, options?: Parameters<typeof checkDownloadUrl>[1]): string {
	const result = checkDownloadUrl(url, options);
	return result.ok ? 'ok' : result.problems[0].reason;
}

describe('checkDownloadUrl', () => {
	it.each([
		'https://payloads.w24.co/3f2b/sheet.png?X-Amz-Signature=abc',
		'http://example.com/file.pdf',
		'https://8.8.8.8/x',
		'https://[2001:db8::1]/x',
		'https://172.32.0.1/x',
		'https://100.128.0.1/x',
		'https://192.169.0.1/x',
		'https://localhost.example.com/x',
	])('allows public %s', (url) => {
		const result = checkDownloadUrl(url);
		expect(result.ok).toBe(true);
		if (result.ok) expect(result.value.href).toBe(new URL(url).href);
	});

	it.each(['file:///etc/passwd', 'data:text/plain,hello', 'ftp://example.com/x', 'javascript:alert(1)', 'gopher://example.com/'])(
		'refuses the scheme of %s',
		(url) => {
			expect(reason(url)).toMatch(/must use http or https/);
		},
	);

	it.each(['', 'not a url', '//example.com/x', 'http://'])('refuses unparsable %p', (url) => {
		expect(reason(url)).toMatch(/not a valid URL/);
	});

	it.each([
		'http://127.0.0.1/x',
		'http://127.5.6.7:8080/x',
		'http://10.0.0.1/x',
		'http://172.16.0.1/x',
		'http://172.31.255.255/x',
		'http://192.168.1.1/x',
		'http://100.64.0.1/x',
		'http://100.127.255.254/x',
		'http://169.254.169.254/latest/meta-data/',
		'http://169.254.1.1/x',
		'http://0.0.0.0/x',
		'http://0.1.2.3/x',
		'http://localhost/x',
		'http://LOCALHOST:3000/x',
		'http://localhost./x',
		'http://api.localhost/x',
		'http://metadata.google.internal/computeMetadata/v1/',
		'http://[::1]/x',
		'http://[::]/x',
		'http://[fc00::1]/x',
		'http://[fd12:3456::1]/x',
		'http://[fe80::1]/x',
		'http://[febf::1]/x',
		'http://[::ffff:127.0.0.1]/x',
		'http://[::ffff:7f00:1]/x',
		'http://[::ffff:a9fe:a9fe]/x',
		'http://[::ffff:10.1.2.3]/x',
		'http://[0:0:0:0:0:ffff:c0a8:0101]/x',
		'http://[64:ff9b::7f00:1]/x',
		// Shorthand IPv4 that HTTP clients resolve to loopback.
		'http://127.1/x',
		'http://0x7f000001/x',
		'http://2130706433/x',
		'http://0177.0.0.1/x',
	])('refuses local or private %s', (url) => {
		expect(reason(url)).toMatch(/local or private/);
	});

	it('allows the host of the API URL in use (any port on that host)', () => {
		const apiUrl = 'http://127.0.0.1:5724';
		expect(reason('http://127.0.0.1:5724/payloads/a.png?sig=1', { apiUrl })).toBe('ok');
		expect(reason('http://127.0.0.1:9999/payloads/a.png', { apiUrl })).toBe('ok');
		expect(reason('http://10.0.0.1/payloads/a.png', { apiUrl })).toMatch(/local or private/);
		expect(reason('http://localhost/x', { apiUrl: 'http://LOCALHOST:5724/' })).toBe('ok');
		expect(reason('http://[::1]:80/x', { apiUrl: 'http://[::1]:5724' })).toBe('ok');
		expect(reason('http://127.0.0.1/x', { apiUrl: 'not a url' })).toMatch(/local or private/);
	});

	it('allows exact Allowed Download Hosts entries, case-insensitive, with or without a port', () => {
		const allowedHosts = ['Files.Internal.example', '10.0.0.5', '192.168.1.10:8443', '[::1]:9000', ' ', 'https://172.16.0.9'];
		expect(reason('http://10.0.0.5/x', { allowedHosts })).toBe('ok');
		expect(reason('http://10.0.0.5:1234/x', { allowedHosts })).toBe('ok');
		expect(reason('http://10.0.0.50/x', { allowedHosts })).toMatch(/local or private/);
		expect(reason('https://192.168.1.10:8443/x', { allowedHosts })).toBe('ok');
		expect(reason('https://192.168.1.10/x', { allowedHosts })).toMatch(/local or private/);
		expect(reason('http://[::1]:9000/x', { allowedHosts })).toBe('ok');
		expect(reason('http://[::1]:9001/x', { allowedHosts })).toMatch(/local or private/);
		expect(reason('http://172.16.0.9/x', { allowedHosts })).toBe('ok');
		expect(reason('http://sub.10.0.0.5.nip.io/x', { allowedHosts })).toBe('ok'); // a public name: never blocked here
		expect(reason('http://127.0.0.1/x', { allowedHosts: ['127.0.0.1:80'] })).toBe('ok');
		expect(reason('https://127.0.0.1/x', { allowedHosts: ['127.0.0.1:80'] })).toMatch(/local or private/);
		expect(reason('https://127.0.0.1/x', { allowedHosts: ['127.0.0.1:443'] })).toBe('ok');
	});

	it('names the host but not the query string in its reason', () => {
		const text = reason('http://127.0.0.1:81/a?X-Amz-Signature=SECRETSIG#frag');
		expect(text).toContain('127.0.0.1:81');
		expect(text).not.toContain('SECRETSIG');
	});
});

describe('isLocalOrPrivateHost', () => {
	it.each(['127.0.0.1', '[::1]', '::1', 'localhost', 'x.y.localhost', '10.255.255.255', '::ffff:7f00:1', 'fe80::1%eth0', '', '0177.0.0.1', '127.1', '0x7f.1'])(
		'%p is local or private',
		(host) => expect(isLocalOrPrivateHost(host)).toBe(true),
	);
	it.each(['example.com', '1.1.1.1', '2001:4860:4860::8888', '11.0.0.1', '::ffff:8.8.8.8', 'not:an:address', '1::2::3'])(
		'%p is not',
		(host) => expect(isLocalOrPrivateHost(host)).toBe(false),
	);

	it('property: every 127/8 and 10/8 address, also v4-mapped, is refused', () => {
		fc.assert(
			fc.property(fc.constantFrom(127, 10), fc.nat(255), fc.nat(255), fc.nat(255), (a, b, c, d) => {
				const v4 = `${a}.${b}.${c}.${d}`;
				const mapped = `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
				return isLocalOrPrivateHost(v4) && isLocalOrPrivateHost(`[::ffff:${v4}]`) && isLocalOrPrivateHost(mapped);
			}),
		);
	});

	it('property: never throws on arbitrary strings', () => {
		fc.assert(fc.property(fc.string(), (s) => typeof isLocalOrPrivateHost(s) === 'boolean'));
		fc.assert(fc.property(fc.string(), (s) => typeof checkDownloadUrl(s).ok === 'boolean'));
	});
});

describe('redactUrl', () => {
	it('drops query, fragment and credentials', () => {
		expect(redactUrl('https://user:pw@payloads.w24.co/a/b.png?X-Amz-Signature=abc&X-Amz-Expires=3600#top')).toBe(
			'https://payloads.w24.co/a/b.png',
		);
		expect(redactUrl('http://127.0.0.1:5724/p/1')).toBe('http://127.0.0.1:5724/p/1');
	});

	it('cuts unparsable text at ? or #', () => {
		expect(redactUrl('not a url?token=secret')).toBe('not a url');
		expect(redactUrl('nothing#secret')).toBe('nothing');
	});
});
