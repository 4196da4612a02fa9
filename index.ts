// The package's entry point (package.json "main"); n8n itself loads the files listed under "n8n".
export { Werk24Api } from './credentials/Werk24Api.credentials';
export { Werk24CallbackApi } from './credentials/Werk24CallbackApi.credentials';
export { Werk24 } from './nodes/Werk24/Werk24.node';
export { Werk24Trigger } from './nodes/Werk24Trigger/Werk24Trigger.node';
