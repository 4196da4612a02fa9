import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * Shared by the Werk24 node (which sends the secret header and the public key with each drawing) and the
 * Werk24 Trigger (which checks the header and decrypts with the private key), so both ends always agree.
 * Tested without network by the nodes' `testedBy` method: header rule, secret length, keys parse and match.
 */
export class Werk24CallbackApi implements ICredentialType {
	name = 'werk24CallbackApi';

	// The verification scanner requires credential display names to end in "API".
	displayName = 'Werk24 Callback Security API';

	icon: Icon = { light: 'file:../nodes/Werk24/werk24.svg', dark: 'file:../nodes/Werk24/werk24.dark.svg' };

	documentationUrl = 'https://github.com/W24-Service-GmbH/n8n-nodes-werk24#callback-security';

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'X-Werk24-Token',
			required: true,
			hint: 'Werk24 only forwards headers whose name starts with "X-" or is "Authorization"',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			hint: '16 to 4096 characters, no spaces at the start or end; Werk24 sends it back in the header above with every callback',
		},
		{
			displayName: 'Public Key (PEM)',
			name: 'publicKey',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN PUBLIC KEY-----',
			description:
				'Optional. Sent with each drawing so Werk24 encrypts result files for you. Create a pair with the Werk24 node\'s "Generate Key Pair" operation.',
		},
		{
			displayName: 'Private Key (PEM)',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description: 'Optional. Decrypts what Werk24 encrypted with the public key above.',
		},
		{
			displayName: 'Private Key Passphrase',
			name: 'passphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only when the private key is encrypted (-----BEGIN ENCRYPTED PRIVATE KEY-----)',
		},
	];
}
