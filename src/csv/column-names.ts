/**
 * What email columns are called in the exports of CRMs, mailing tools, address books and
 * spreadsheets, in several languages. Names are compared normalised (case, accents, spaces and
 * punctuation ignored), so `E-Mail`, `e_mail` and `EMAIL ADDRESS` all match.
 */

/** Lower case, accents removed, letters and digits only: `Adresse e-mail` → `adresseemail`. */
export function normalizeColumnName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

const EMAIL_NAMES = [
  // English, and the names common tools export under.
  'email',
  'emails',
  'mail',
  'email address',
  'email addresses',
  'email addr',
  'mail address',
  'e-address',
  'email id',
  'e-mail address',
  // German, Dutch, Scandinavian.
  'e-mail-adresse',
  'mailadresse',
  'emailadresse',
  'e-mailadres',
  'e-postadresse',
  'e-post',
  'e-postadress',
  // French.
  'courriel',
  'adresse courriel',
  'adresse e-mail',
  'adresse mail',
  'adresse électronique',
  'mél',
  // Spanish, Portuguese, Italian.
  'correo',
  'correo electrónico',
  'dirección de correo',
  'dirección de correo electrónico',
  'dirección de email',
  'correio eletrônico',
  'endereço de e-mail',
  'endereço de email',
  'posta elettronica',
  'indirizzo email',
  'indirizzo e-mail',
  'indirizzo di posta elettronica',
  // Polish, Czech, Finnish, Turkish, Greek, Russian.
  'adres e-mail',
  'adres email',
  'e-mailová adresa',
  'sähköposti',
  'sähköpostiosoite',
  'e-posta',
  'e-posta adresi',
  'ηλεκτρονικό ταχυδρομείο',
  'электронная почта',
  'адрес электронной почты',
  'почта',
  // Japanese, Chinese, Korean.
  'メール',
  'メールアドレス',
  '電子メール',
  '邮箱',
  '电子邮件',
  '电子邮箱',
  '郵箱',
  '電子郵件',
  '이메일',
  '이메일 주소',
];

/** Names of one email column among several: chosen after a plain `Email`. */
const QUALIFIED_NAMES = [
  'primary email',
  'email 1',
  'emailaddress1',
  'e-mail 1 - value',
  'person - email',
  'contact email',
  'work email',
  'business email',
  'personal email',
  'private email',
  'e-mail geschäftlich',
  'e-mail privat',
];

const GENERIC = new Set(EMAIL_NAMES.map(normalizeColumnName));
const QUALIFIED = new Set(QUALIFIED_NAMES.map(normalizeColumnName));

/** Parts of names like `Email (Work)` or `Secondary E-mail Address`. */
const KEYWORDS = ['email', 'courriel', 'correo', 'epost', 'sahkoposti', 'メール', '邮箱', '이메일'];

/** Columns about email that hold something else: consent flags, statuses, dates, counts. */
const NOT_ADDRESSES = new RegExp(
  [
    'optin|optout|consent|subscri|status|verified|valid|bounce',
    'opened|clicked|sent|date|count|format|type|domain|mailing',
  ].join('|'),
);

/**
 * How surely a column name means "the email address": 1 for a plain name (`Email`), 2 for a
 * known name of one of several (`Work Email`), 3 for a name that mentions email, 0 otherwise.
 */
export type EmailNameTier = 0 | 1 | 2 | 3;

export function emailNameTier(name: string): EmailNameTier {
  const normalized = normalizeColumnName(name);
  if (GENERIC.has(normalized)) return 1;
  if (QUALIFIED.has(normalized)) return 2;
  if (NOT_ADDRESSES.test(normalized)) return 0;
  return KEYWORDS.some((keyword) => normalized.includes(keyword)) ? 3 : 0;
}
