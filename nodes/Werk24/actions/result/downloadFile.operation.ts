import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { checkDownloadUrl, decryptPackage, detectResultFileType, redactUrl } from '../../../../core';
import { showFor } from '../../descriptions/showFor';
import { getApiCredentials, werk24Download } from '../../transport';

export const description = showFor('result', 'downloadFile', [
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '={{ $json.payload_url }}',
		required: true,
		hint: 'The payload_url of a Werk24 result message (Sheet Images, View Images, Redaction …)',
	},
	{
		displayName: 'Output Binary Field',
		name: 'outputBinaryField',
		type: 'string',
		default: 'file',
		required: true,
		hint: 'Name of the binary field the file is written to',
	},
	{
		displayName: 'Decrypt',
		name: 'decrypt',
		type: 'options',
		options: [
			{
				name: 'Auto',
				value: 'auto',
				description: 'Decrypt when a Werk24 Callback Security credential with a private key is selected; a file that is already a plain PDF, image, JSON or ZIP is kept as it is',
			},
			{ name: 'Yes', value: 'yes', description: 'Always decrypt with the private key of the Werk24 Callback Security credential' },
			{ name: 'No', value: 'no', description: 'Keep the bytes exactly as downloaded' },
		],
		default: 'auto',
		description: 'Werk24 encrypts result files when your drawing was sent with the public key of a Werk24 Callback Security credential',
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const url = String(this.getNodeParameter('url', itemIndex, '') ?? '').trim();
	const field = String(this.getNodeParameter('outputBinaryField', itemIndex, 'file')).trim() || 'file';
	const decrypt = this.getNodeParameter('decrypt', itemIndex, 'auto') as 'auto' | 'yes' | 'no';
	if (!url) {
		throw new NodeOperationError(this.getNode(), '"URL" is empty', {
			itemIndex,
			description: 'Only result messages with a file carry a payload_url (e.g. Sheet Images, View Images, Redaction). Keep just those items, e.g. with an If node on {{ $json.payload_url }} "is not empty"',
		});
	}
	const { apiUrl } = await getApiCredentials.call(this, itemIndex);
	const allowed = checkDownloadUrl(url, { apiUrl });
	if (!allowed.ok) {
		throw new NodeOperationError(this.getNode(), `"URL" is not a Werk24 result address: ${redactUrl(url)}`, {
			itemIndex,
			description: `${allowed.problems.map((problem) => problem.reason).join('; ')}. Use the payload_url of a Werk24 message; local or private hosts are fetched only when they are the host of the Werk24 API credential's API URL (e.g. the sandbox)`,
		});
	}

	const key = await readPrivateKey.call(this, itemIndex, decrypt);
	const downloaded = await werk24Download.call(this, itemIndex, url);
	let bytes = downloaded.bytes;
	let decrypted = false;
	if (key) {
		// GCM authenticates, so a successful decryption cannot happen by accident; in "auto" a plain file
		// that fails to decrypt is simply kept (a random package may well start like JSON or a PDF).
		const result = decryptPackage(key.pem, bytes, key.passphrase);
		if (result.ok) {
			bytes = result.value;
			decrypted = true;
		} else if (decrypt === 'yes' || !detectResultFileType(bytes)) {
			throw new NodeOperationError(this.getNode(), `The file from ${redactUrl(url)} could not be decrypted`, {
				itemIndex,
				description: `${result.problems.map((problem) => problem.reason).join('; ')}. Check that the credential holds the private key whose public key was sent with the drawing, or set "Decrypt" to No to keep the raw bytes`,
			});
		}
	}

	const fileName = fileNameFrom(downloaded.headers['content-disposition'], url);
	const mimeType = mimeTypeFor(bytes, decrypted ? undefined : downloaded.headers['content-type']);
	const binary = await this.helpers.prepareBinaryData(bytes, fileName, mimeType);
	const input = this.getInputData()[itemIndex]?.json ?? {};
	return [
		{
			json: { ...input, file_name: fileName, mime_type: binary.mimeType, size_bytes: bytes.length, decrypted },
			binary: { [field]: binary },
		},
	];
}

async function readPrivateKey(
	this: IExecuteFunctions,
	itemIndex: number,
	decrypt: 'auto' | 'yes' | 'no',
): Promise<{ pem: string; passphrase?: string } | null> {
	if (decrypt === 'no') return null;
	const selected = Boolean(this.getNode().credentials?.werk24CallbackApi);
	const credentials = selected ? await this.getCredentials('werk24CallbackApi', itemIndex) : undefined;
	const pem = String(credentials?.privateKey ?? '').trim();
	if (!pem) {
		if (decrypt === 'auto') return null;
		throw new NodeOperationError(this.getNode(), '"Decrypt" is Yes but no private key is available', {
			itemIndex,
			description: selected
				? 'Add the private key to the selected Werk24 Callback Security credential'
				: 'Select the Werk24 Callback Security credential whose public key was sent with the drawing',
		});
	}
	return { pem, passphrase: String(credentials?.passphrase ?? '') || undefined };
}

function fileNameFrom(contentDisposition: string | undefined, url: string): string {
	if (contentDisposition) {
		const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(contentDisposition);
		if (extended) return safeName(decodeComponent(extended[1].trim()));
		const plain = /filename\s*=\s*"?([^";]+)"?/.exec(contentDisposition);
		if (plain) return safeName(plain[1].trim());
	}
	try {
		const segments = new URL(url).pathname.split('/').filter(Boolean);
		const last = segments[segments.length - 1];
		if (last) return safeName(decodeComponent(last));
	} catch {
		// checkDownloadUrl already accepted the URL; a name is optional, so fall through to the default.
	}
	return 'file';
}

function decodeComponent(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		// A malformed escape: the raw text is still a usable file name.
		return value;
	}
}

function safeName(name: string): string {
	return name.replace(/[/\\]/g, '_') || 'file';
}

function mimeTypeFor(bytes: Uint8Array, declared: string | undefined): string | undefined {
	const type = declared?.split(';')[0].trim().toLowerCase();
	if (type && type !== 'application/octet-stream' && type !== 'binary/octet-stream') return type;
	return detectResultFileType(bytes)?.mimeType ?? type;
}
