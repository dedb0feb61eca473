import { ApolloServerErrorCode } from '@apollo/server/errors';

/** What a client of this server may rely on, as data: the e2e tests import it (subpath
 *  `@numbroker/graphql/protocol`) instead of copying it. No use cases are loaded from here. */

export { ACTIONS as SMS_ACTIVATE_ACTIONS } from './sms-activate-endpoint/action-names.js';
export { API_ERROR_CODES, type ApiErrorCode } from './errors/api-error.js';

/** Apollo's codes for errors about the request itself (syntax, validation, variables, persisted
 *  queries), which toGraphQLFormattedError passes through unmasked. */
export const REQUEST_ERROR_CODES: readonly string[] = Object.values(ApolloServerErrorCode);
