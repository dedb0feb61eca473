export { createSmsActivateRouter, type SmsActivateRouterOptions } from './router.js';
export { providerCodeTables, type SmsActivateCodeTables } from './code-tables.js';
