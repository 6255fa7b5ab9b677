/**
 * Role accounts: mailboxes of a function, not a person. They are often shared, filtered or
 * unmonitored, so they carry more complaint and bounce risk in a marketing list.
 */
const ROLE_LOCAL_PARTS = new Set([
  'abuse',
  'accounting',
  'accounts',
  'admin',
  'administrator',
  'billing',
  'careers',
  'contact',
  'customerservice',
  'do-not-reply',
  'donotreply',
  'enquiries',
  'enquiry',
  'feedback',
  'finance',
  'hello',
  'help',
  'helpdesk',
  'hostmaster',
  'hr',
  'info',
  'inquiries',
  'inquiry',
  'jobs',
  'legal',
  'mail',
  'mailer-daemon',
  'marketing',
  'media',
  'newsletter',
  'no-reply',
  'no_reply',
  'noc',
  'noreply',
  'office',
  'orders',
  'postmaster',
  'press',
  'privacy',
  'recruiting',
  'root',
  'sales',
  'security',
  'service',
  'support',
  'team',
  'webmaster',
]);

/** Whether `local` names a role; a `+tag` is ignored (`info+news` is still `info`). */
export function isRoleLocalPart(local: string): boolean {
  const lower = local.toLowerCase();
  const plus = lower.indexOf('+');
  return ROLE_LOCAL_PARTS.has(plus === -1 ? lower : lower.slice(0, plus));
}
