/**
 * Reads the evidence in one reply: what its enhanced status code says (RFC 3463), whom its text
 * is about, and what the text says. No verdict is taken here; `generic-rules.ts` weighs it.
 */
import type { SmtpReply } from '../smtp/reply.ts';
import {
  ABOUT_CLIENT,
  ABOUT_MESSAGE,
  ABOUT_RECIPIENT,
  ABOUT_SENDER,
  PREFIX_SUBJECT,
  SAYS_BLOCKED,
  SAYS_DISABLED,
  SAYS_FULL,
  SAYS_GREYLISTED,
  SAYS_LISTED,
  SAYS_NOT_FOUND,
  SAYS_NULL_MX,
  SAYS_PROTOCOL,
  SAYS_RATE,
  SAYS_SERVER_TROUBLE,
  SAYS_TRY_LATER,
  SENDER_FLAW,
  SESSION_LIMIT,
  TOO_MANY_RECIPIENTS,
} from './patterns.ts';
import type { ReplyContext, Subject } from './types.ts';

export type Meaning =
  | 'listed'
  | 'sender_flaw'
  | 'try_later'
  | 'not_found'
  | 'disabled'
  | 'full'
  | 'rate'
  | 'session_limit'
  | 'too_many_recipients'
  | 'blocked'
  | 'greylisted'
  | 'server_trouble'
  | 'protocol'
  | 'null_mx';

const MEANINGS: ReadonlyArray<readonly [Meaning, RegExp]> = [
  ['listed', SAYS_LISTED],
  ['sender_flaw', SENDER_FLAW],
  ['try_later', SAYS_TRY_LATER],
  ['not_found', SAYS_NOT_FOUND],
  ['disabled', SAYS_DISABLED],
  ['full', SAYS_FULL],
  ['rate', SAYS_RATE],
  ['session_limit', SESSION_LIMIT],
  ['too_many_recipients', TOO_MANY_RECIPIENTS],
  ['blocked', SAYS_BLOCKED],
  ['greylisted', SAYS_GREYLISTED],
  ['server_trouble', SAYS_SERVER_TROUBLE],
  ['protocol', SAYS_PROTOCOL],
  ['null_mx', SAYS_NULL_MX],
];

export interface EnhancedCode {
  cls: number;
  subject: number;
  detail: number;
  /** `5.1.1` */
  text: string;
}

export interface Evidence {
  code: number;
  enhanced: EnhancedCode | null;
  /** The normalised text the patterns ran on. */
  text: string;
  /** The subject named by a Postfix-style prefix, or by our own address quoted in the reply. */
  namedSubject: Subject | null;
  /** Every subject some wording points at. */
  mentions: ReadonlySet<Subject>;
  says: ReadonlySet<Meaning>;
}

const ADDRESS = /<?[^\s<>@"]+@[^\s<>@"]+\.[a-z]{2,}>?/g;

/**
 * Lower case, our own addresses named (`<recipient>`, `<sender>`), every other address as
 * `<address>` so an address like `unknown.user@x` can never read as wording.
 */
export function normaliseText(text: string, context: Partial<ReplyContext> = {}): string {
  const own = (address: string | undefined) => address?.toLowerCase().replace(/^<|>$/g, '');
  const recipient = own(context.recipient);
  const sender = own(context.mailFrom);
  return text
    .toLowerCase()
    .replace(ADDRESS, (match) => {
      const bare = match.replace(/^<|>$/g, '');
      if (sender && bare === sender) return '<sender>';
      if (recipient && bare === recipient) return '<recipient>';
      return '<address>';
    })
    .replace(/\s+/g, ' ')
    .replace(/\( ?(<\w+>) ?\)/g, '$1')
    .trim();
}

export function parseEnhanced(enhanced: string | null): EnhancedCode | null {
  if (!enhanced) return null;
  const [cls, subject, detail] = enhanced.split('.').map(Number);
  if (cls === undefined || subject === undefined || detail === undefined) return null;
  return { cls, subject, detail, text: enhanced };
}

function namedSubject(text: string): Subject | null {
  for (const [pattern, subject] of PREFIX_SUBJECT) if (pattern.test(text)) return subject;
  if (text.includes('<sender>')) return 'sender';
  return null;
}

/**
 * qmail writes its enhanced code at the end, `(#5.1.1)`; Cisco's ESA at the start, `#5.1.0`.
 * Read as evidence when the reply has no RFC 2034 code of its own.
 */
const TEXT_ENHANCED = /^#([245]\.\d{1,3}\.\d{1,3})\b|\(#([245]\.\d{1,3}\.\d{1,3})\)/;

export function readEvidence(reply: SmtpReply, context: Partial<ReplyContext> = {}): Evidence {
  const text = normaliseText(reply.text, context);
  const found = reply.enhanced ? null : TEXT_ENHANCED.exec(text);
  const inText = found ? (found[1] ?? found[2]) : undefined;
  const enhanced = parseEnhanced(
    reply.enhanced ?? (inText && inText[0] === String(reply.code)[0] ? inText : null),
  );
  const mentions = new Set<Subject>();
  if (ABOUT_RECIPIENT.test(text) || text.includes('<recipient>')) mentions.add('recipient');
  if (ABOUT_SENDER.test(text)) mentions.add('sender');
  if (ABOUT_CLIENT.test(text)) mentions.add('client');
  if (ABOUT_MESSAGE.test(text)) mentions.add('message');
  const says = new Set<Meaning>();
  for (const [meaning, pattern] of MEANINGS) if (pattern.test(text)) says.add(meaning);
  return {
    code: reply.code,
    enhanced,
    text,
    namedSubject: namedSubject(text),
    mentions,
    says,
  };
}
