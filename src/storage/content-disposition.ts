/**
 * `Content-Disposition: attachment` for a download name (RFC 6266 §4.3): an ASCII `filename`
 * for old clients and the exact UTF-8 name in `filename*` (RFC 8187), so a list called
 * "Kunden März" is saved under that name, and no name can break out of the header value.
 */
export function attachmentDisposition(downloadName: string): string {
  // Lone surrogates would make encodeURIComponent throw.
  const wellFormed = downloadName.replace(/\p{Cs}/gu, '\uFFFD');
  const ascii = wellFormed.replace(/[^\x20-\x7e]|["\\/]/g, '_');
  const encoded = encodeURIComponent(wellFormed).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
