import { NodeApiError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type JsonObject } from 'n8n-workflow';

import { showFor } from '../../descriptions/showFor';
import { werk24Request } from '../../transport';

export const description = showFor('service', 'getStatus', []);

/** Werk24's SystemStatus, unchanged: status_indicator, status_description, incidents, maintenances, components. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const status = await werk24Request.call(this, itemIndex, { method: 'GET', url: '/status' });
	// A web page or proxy answering 200 would otherwise become an item n8n cannot show.
	if (!status || typeof status !== 'object' || Array.isArray(status)) {
		throw new NodeApiError(this.getNode(), { message: 'status is not a JSON object' } as JsonObject, {
			itemIndex,
			message: 'The answer to /status is not the Werk24 service status',
			description: 'Check that "API URL" in the Werk24 API credential points at the Werk24 API (default https://api.w24.co)',
		});
	}
	return [{ json: status as IDataObject }];
}
