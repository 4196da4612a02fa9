import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { generateKeyPair } from '../../../../core';
import { showFor } from '../../descriptions/showFor';

const MODULUS_BITS = 3072;

export const description = showFor('encryption', 'generateKeyPair', [
	{
		displayName:
			'The private key appears only in the data of this execution. Copy both keys into a Werk24 Callback Security credential, then delete this execution (or turn off saving execution data) so the key is not kept in your execution history.',
		name: 'privateKeyNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Passphrase',
		name: 'passphrase',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'Optional. Encrypts the private key; enter the same passphrase in the credential.',
	},
]);

/** An RSA-3072 pair: SPKI public key to send with drawings, PKCS#8 private key to decrypt results. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const passphrase = String(this.getNodeParameter('passphrase', itemIndex, ''));
	let pair;
	try {
		pair = generateKeyPair({ modulusLength: MODULUS_BITS, passphrase: passphrase || undefined });
	} catch (error) {
		throw new NodeOperationError(this.getNode(), 'The key pair could not be generated', {
			itemIndex,
			description: (error as Error).message,
		});
	}
	return [{ json: { public_key: pair.publicKey, private_key: pair.privateKey } }];
}
