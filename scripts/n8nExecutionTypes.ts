/** The shapes of n8n's public-API executions that the demo and the e2e tests read. */
export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	finished: boolean;
	mode: string;
	startedAt: string;
	stoppedAt?: string;
	data?: ExecutionData;
}

/** The parts of n8n's run data the callers read. */
export interface ExecutionData {
	resultData: {
		error?: { message?: string; description?: string; httpCode?: string; node?: { name?: string } };
		lastNodeExecuted?: string;
		runData: Record<
			string,
			Array<{
				error?: { message?: string; description?: string; httpCode?: string };
				data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, BinaryRef> }> | null> };
			}>
		>;
	};
}

export interface BinaryRef {
	fileName?: string;
	fileExtension?: string;
	mimeType?: string;
	fileSize?: string;
	id?: string;
	data?: string;
}
