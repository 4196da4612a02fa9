import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { showFor } from '../../descriptions/showFor';
import { werk24Request } from '../../transport';

export const description = showFor('service', 'getStatus', []);

/** Werk24's SystemStatus, unchanged: status_indicator, status_description, incidents, maintenances, components. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const status = await werk24Request.call(this, itemIndex, { method: 'GET', url: '/status' });
	return [{ json: (status ?? {}) as IDataObject }];
}
