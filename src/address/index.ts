/** Address syntax, normalisation and flags (DESIGN §2.1, §3). */
export { ADDRESS_ERROR_CODES, type AddressErrorCode } from './errors.ts';
export { type AddressFlags, addressFlags } from './flags.ts';
export { type AddressParse, parseAddress } from './parse.ts';
