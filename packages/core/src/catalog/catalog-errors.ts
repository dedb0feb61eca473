import { BadUserInput } from '../errors.js';

export type CatalogErrorCode = 'UNKNOWN_SERVICE' | 'UNKNOWN_COUNTRY' | 'INVALID_PHONE_NUMBER';

/** An unknown service or country, or a phone number we can't read. BAD_USER_INPUT to the
 *  API, with a message that names the value. */
export class CatalogError extends BadUserInput {
  override readonly name: string = 'CatalogError';
  declare readonly code: CatalogErrorCode;
  constructor(code: CatalogErrorCode, message: string) {
    super(code, message);
  }
}
