/** UTF-8 size arithmetic on decoded text, so limits mean the same whatever the file's encoding. */

/** Bytes one UTF-16 code unit takes in UTF-8 (a surrogate pair's halves count 2 + 2). */
export function utf8UnitBytes(unit: number): number {
  if (unit < 0x80) return 1;
  if (unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff)) return 2;
  return 3;
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes, never splitting a pair. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const unit = text.charCodeAt(end);
    const width = unit >= 0xd800 && unit <= 0xdbff && end + 1 < text.length ? 2 : 1;
    const size = width === 2 ? 4 : utf8UnitBytes(unit);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += width;
  }
  return text.slice(0, end);
}

/** Human size for messages: `1 MiB`, `512 KiB`, `300 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
