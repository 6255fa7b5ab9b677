/**
 * `Content-Disposition` for a download name (RFC 6266 §4.3): an ASCII `filename` for old clients
 * (and `curl -OJ`) and the exact UTF-8 name in `filename*` (RFC 8187), so a list called
 * "Kunden März" is saved under that name, and no name can break out of the header value.
 * `inline`: shown in the browser, and still saved under that name (with its extension).
 */
export function attachmentDisposition(
  downloadName: string,
  type: 'attachment' | 'inline' = 'attachment',
): string {
  // Lone surrogates would make encodeURIComponent throw.
  const wellFormed = downloadName.replace(/\p{Cs}/gu, '\uFFFD');
  const ascii = wellFormed.replace(/[^\x20-\x7e]|["\\/]/g, '_');
  const encoded = encodeURIComponent(wellFormed).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
