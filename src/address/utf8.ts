/** Octet length as SMTP counts it (RFC 5321 limits are in octets; RFC 6531 sends UTF-8). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
