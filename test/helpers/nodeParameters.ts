/**
 * Checks a workflow node's saved parameters against a node type description, the way the n8n editor
 * reads them: every name must exist and be displayed for the node's other settings (resource,
 * operation, options…), every option value must be one the description offers, and n8n's own
 * `getNodeParametersIssues` (what blocks publishing) must find nothing.
 *
 * n8n itself silently ignores parameter names it does not know, so a renamed parameter would make an
 * example "load" while doing something else; this check is what catches that.
 */
import {
	NodeHelpers,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyCollection,
	type INodePropertyOptions,
	type INodeTypeDescription,
} from 'n8n-workflow';

/** A node as stored in workflow JSON. */
export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position?: [number, number];
	parameters: INodeParameters;
	credentials?: Record<string, { id: string | null; name: string } | string>;
	webhookId?: string;
	disabled?: boolean;
}

export interface ParameterFinding {
	node: string;
	path: string;
	reason: string;
}

const isExpression = (value: unknown): boolean => typeof value === 'string' && value.startsWith('=');
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function optionValues(property: INodeProperties): unknown[] {
	return ((property.options ?? []) as INodePropertyOptions[]).map((option) => option.value);
}

interface Context {
	node: WorkflowNode;
	description: INodeTypeDescription;
	root: INodeParameters;
	findings: ParameterFinding[];
}

function add(ctx: Context, path: string, reason: string): void {
	ctx.findings.push({ node: ctx.node.name, path, reason });
}

function checkLevel(ctx: Context, properties: INodeProperties[], values: INodeParameters, path: string): void {
	for (const [name, value] of Object.entries(values)) {
		const here = path ? `${path}.${name}` : name;
		const named = properties.filter((property) => property.name === name);
		if (named.length === 0) {
			add(ctx, here, `unknown parameter (known here: ${[...new Set(properties.map((p) => p.name))].join(', ')})`);
			continue;
		}
		const shown = named.filter((property) =>
			NodeHelpers.displayParameter(values, property, ctx.node, ctx.description, ctx.root),
		);
		if (shown.length === 0) {
			add(ctx, here, 'parameter is not shown for these settings, so n8n ignores it');
			continue;
		}
		checkValue(ctx, shown[0], value, here);
	}
}

function checkValue(ctx: Context, property: INodeProperties, value: unknown, path: string): void {
	if (isExpression(value)) return;
	const dynamicOptions = Boolean(property.typeOptions?.loadOptionsMethod ?? property.typeOptions?.loadOptions);
	switch (property.type) {
		case 'options':
			if (!dynamicOptions && !optionValues(property).includes(value)) {
				add(ctx, path, `${JSON.stringify(value)} is not one of ${JSON.stringify(optionValues(property))}`);
			}
			return;
		case 'multiOptions': {
			if (!Array.isArray(value)) return add(ctx, path, 'expected a list of option values');
			if (dynamicOptions) return;
			for (const entry of value) {
				if (!optionValues(property).includes(entry)) {
					add(ctx, path, `${JSON.stringify(entry)} is not one of ${JSON.stringify(optionValues(property))}`);
				}
			}
			return;
		}
		case 'boolean':
			if (typeof value !== 'boolean') add(ctx, path, 'expected true or false');
			return;
		case 'number':
			if (typeof value !== 'number') add(ctx, path, 'expected a number');
			return;
		case 'string':
		case 'json':
		case 'color':
		case 'dateTime':
		case 'hidden':
		case 'notice':
			if (typeof value !== 'string') add(ctx, path, `expected a string for a ${property.type} parameter`);
			return;
		case 'collection':
			if (!isPlainObject(value)) return add(ctx, path, 'expected an object');
			checkLevel(ctx, (property.options ?? []) as INodeProperties[], value as INodeParameters, path);
			return;
		case 'fixedCollection':
			if (!isPlainObject(value)) return add(ctx, path, 'expected an object');
			checkFixedCollection(ctx, property, value as INodeParameters, path);
			return;
		case 'resourceLocator':
			if (!isPlainObject(value) || value.__rl !== true) add(ctx, path, 'expected a resource locator {__rl: true, mode, value}');
			return;
		default:
			// assignmentCollection, resourceMapper, filter …: structured values n8n validates at run time.
			return;
	}
}

function checkFixedCollection(ctx: Context, property: INodeProperties, value: INodeParameters, path: string): void {
	const groups = (property.options ?? []) as INodePropertyCollection[];
	for (const [groupName, groupValue] of Object.entries(value)) {
		const group = groups.find((candidate) => candidate.name === groupName);
		const here = `${path}.${groupName}`;
		if (!group) {
			add(ctx, here, `unknown group (known: ${groups.map((g) => g.name).join(', ')})`);
			continue;
		}
		const entries = property.typeOptions?.multipleValues ? groupValue : [groupValue];
		if (!Array.isArray(entries)) {
			add(ctx, here, 'expected a list of entries');
			continue;
		}
		entries.forEach((entry, index) => {
			if (!isPlainObject(entry)) return add(ctx, `${here}[${index}]`, 'expected an object');
			checkLevel(ctx, group.values, entry as INodeParameters, property.typeOptions?.multipleValues ? `${here}[${index}]` : here);
		});
	}
}

/** Everything wrong with one node's parameters, credentials and version for this description. */
export function checkNodeParameters(description: INodeTypeDescription, node: WorkflowNode): ParameterFinding[] {
	const ctx: Context = { node, description, root: node.parameters, findings: [] };
	const versions = Array.isArray(description.version) ? description.version : [description.version];
	if (!versions.includes(node.typeVersion)) {
		add(ctx, 'typeVersion', `${node.typeVersion} is not one of ${JSON.stringify(versions)}`);
	}
	checkLevel(ctx, description.properties, node.parameters, '');

	const asINode: INode = {
		id: node.id ?? node.name,
		name: node.name,
		type: node.type,
		typeVersion: node.typeVersion,
		position: node.position ?? [0, 0],
		parameters: node.parameters,
	};
	const issues = NodeHelpers.getNodeParametersIssues(description.properties, asINode, description);
	for (const [name, messages] of Object.entries(issues?.parameters ?? {})) {
		add(ctx, name, `n8n reports: ${messages.join('; ')}`);
	}

	const known = (description.credentials ?? []).map((credential) => credential.name);
	for (const name of Object.keys(node.credentials ?? {})) {
		if (!known.includes(name)) add(ctx, `credentials.${name}`, `not a credential of ${description.name}`);
	}
	return ctx.findings;
}
