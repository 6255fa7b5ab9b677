/** A record or macro the SPF grammar (RFC 7208 §12) does not allow: check_host's `permerror`. */
export class SpfSyntaxError extends Error {
  override readonly name = 'SpfSyntaxError';
}
