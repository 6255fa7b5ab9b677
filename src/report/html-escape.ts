/**
 * Escapes text for HTML (and inline SVG) element content and double- or single-quoted attribute
 * values. Addresses, domains, list names and column values are untrusted: every one passes here.
 */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}
