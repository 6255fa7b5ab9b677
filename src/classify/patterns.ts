/**
 * The wording that tells whom an SMTP reply is about and what it says (DESIGN §2.8). Each
 * pattern runs on the reply's text after `normaliseText` (lower case, addresses replaced by
 * `<address>`, white space folded), so none of them needs `i` or has to skip over an address.
 *
 * Every pattern here is evidence, not a verdict: `evidence.ts` collects what matches and
 * `generic-rules.ts` weighs it against the enhanced status code. A pattern that is too broad
 * costs precision, so each one names the shapes it is for and the ones it must not catch.
 */

/**
 * Postfix, and MTAs copying it, name the subject of a refusal in a fixed prefix
 * (`smtpd_check.c`: "Client host rejected", "Helo command rejected", "Sender address rejected",
 * "Recipient address rejected"). When present it outranks every other clue.
 */
export const PREFIX_SUBJECT: ReadonlyArray<readonly [RegExp, 'recipient' | 'sender' | 'client']> = [
  [/\brecipient address rejected\b/, 'recipient'],
  [/\bsender address rejected\b/, 'sender'],
  [/\b(client host|helo command|unknown client|connect from)\b[^.]*\brejected\b/, 'client'],
];

/** Our MAIL FROM address or its domain: "sender verify failed", SPF, "domain of sender". */
export const ABOUT_SENDER =
  /\bsender\b|\bsenders? (address|domain)|envelope[- ]?(from|sender)|\bmail from\b|return[- ]path|\bfrom address|\boriginator\b|domain of sender|sending domain|\bspf\b|\bdmarc\b|\bdkim\b|unauthenticated (email|mail)|sender verif|verify sender/;

/** Our client: its IP, host name, HELO, reverse DNS, blocklist entries and reputation. */
export const ABOUT_CLIENT =
  /\bclient\b|your (ip|host|server|network|mail server|mta)|\bip( address)?\b|\bips\b|\[\d{1,3}(\.\d{1,3}){3}\]|(^|[^\d.])\d{1,3}(\.\d{1,3}){3}([^\d.]|$)|reverse (dns|lookup|hostname)|\brdns\b|\bptr\b|\bhelo\b|\behlo\b|blocked using|black ?list|block ?list|deny ?list|\blisted\b|spamhaus|sorbs|spamcop|barracuda(central| reputation)|uceprotect|\brbl\b|dnsbl|\breputation\b|connecting (host|server)|sending (server|host|mta|ip)|(not|isn'?t) in (the )?(whitelist|allowlist|allow list)|mail flood|unsolicited mail originating/;

/** The recipient: the mailbox, user or account of the address we asked about. */
export const ABOUT_RECIPIENT =
  /\brecipients?\b|\brcpt\b|\busers?\b|\bmailbox\b|\baccount\b|\baddressee\b|\blocal[- ]?part\b|destination (address|mailbox)|<address>|\binbox\b|\bemail address\b|\baddress\b|\balias\b|\bcustomer\b|\bbenutzer|\bempf[aä]nger|\bdestinataire|\butilisateur|\busuario|\bdestinatario|\bcaixa postal|\bпользовател|\bящик|\bадрес/;

/** The message: its content, size, headers. */
export const ABOUT_MESSAGE =
  /\bmessage (content|size|body|header)|\bcontent\b|\bvirus\b|\battachment|\bmessage (is |was )?(too (large|big)|rejected as spam)|\bsize (exceeds|limit)|\bheaders?\b/;

/**
 * "This recipient does not exist", in the wordings MTAs and providers use. Must not catch
 * "too many invalid recipients" (a session limit, see `SESSION_LIMIT`) or "sender domain not
 * found" (about us: the subject decides, never this pattern alone).
 */
export const SAYS_NOT_FOUND = new RegExp(
  [
    String.raw`\buser ?(name )?(is )?unknown`,
    String.raw`\bunknown (user|recipient|mailbox|address|local[- ]?part|account|alias|addressee|e-?mail)`,
    String.raw`\bno such (user|mailbox|recipient|account|address|person|local user|e-?mail)`,
    String.raw`\b(user|mailbox|recipient|account|address|alias|addressee|e-?mail address)( name)? (does not|doesn'?t|did not|not) exists?\b`,
    String.raw`\b(does not|doesn'?t|does no|no longer) exists?\b`,
    String.raw`\bnon-?existent (user|mailbox|recipient|account|address)`,
    String.raw`\b(user|mailbox|recipient|account|addressee)( <address>)? (was |is )?not found`,
    // Exchange's directory lookup: RESOLVER.ADR.RecipNotFound, RecipientNotFound, ExRecipNotFound
    String.raw`\bresolver\.adr\.(ex)?recip(ient)?notfound`,
    String.raw`\b(recipient|user|mailbox|account) (unknown|not known|not valid|invalid)\b`,
    String.raw`(?<!many )\binvalid (recipient|mailbox|user|account|e-?mail address)(?!s)`,
    String.raw`\bnot a valid (recipient|mailbox|user|account)`,
    String.raw`\bno mailbox\b`,
    String.raw`\bunknown or illegal alias`,
    String.raw`\baddressee unknown`,
    String.raw`\bbad destination mailbox`,
    String.raw`(doesn'?t|does not) have an? [\w.-]+ account`,
    String.raw`\b(no|not an?) (active )?account (by|with) that`,
    // German, French, Spanish/Portuguese/Italian, Dutch, Polish, Russian
    String.raw`\b(benutzer|empf[aä]nger|postfach|mailbox|adresse)\w* (ist )?(unbekannt|existiert nicht|nicht vorhanden)`,
    String.raw`\b(utilisateur|destinataire|adresse|bo[iî]te)\w*( \w+)? (inconnu|inexistant|n'existe pas)`,
    String.raw`\b(usuario|destinatario|buz[oó]n|cuenta)\w* (desconocido|inexistente|no existe)`,
    String.raw`\b(usu[aá]rio|destinat[aá]rio|caixa postal|conta)\w* (desconhecido|inexistente|n[aã]o existe)`,
    String.raw`\b(utente|destinatario|casella)\w* (sconosciut|inesistent|non esiste)`,
    String.raw`\bonbekende? (gebruiker|ontvanger)|\bbestaat niet`,
    String.raw`\bnie istnieje`,
    String.raw`(пользовател|ящик|адрес|получател)\S* (не найден|не существует|неизвест)|нет такого (пользователя|ящика|адреса)`,
  ].join('|'),
);

/** The account is disabled, suspended, locked or closed. */
export const SAYS_DISABLED =
  /\b(disabled|deactivated|de-activated|suspend(ed)?|inactive|inactivated)\b|\bnot active\b|\b(account|mailbox|user|address)( \w+)? (has been |is |was )?(closed|locked|expired|terminated|frozen|deleted|removed|blocked)\b|\bno longer (active|available|in use|valid|accepting mail)\b|\bexpired (account|mailbox)\b|\b(gesperrt|deaktiviert)\b|\bd[ée]sactiv[ée]|\bdesactivad|\binativ|\bотключен|\bзаблокирован/;

/** The recipient's mailbox is full. Not "insufficient system storage": that is the server. */
export const SAYS_FULL =
  /\bmailbox (is )?full\b|\bfull mailbox\b|\bover ?quota\b|\bquota (exceeded|exceed|full|violation)\b|\bexhausted (allowed )?storage|\bexceeded (its |his |her |their |the )?(storage|quota|mailbox|disk)|\bmailbox (size )?limit exceeded|\bout of storage space\b|\bmailbox (is )?over\b|\b(user|recipient|mailbox)('s)? (quota|disk|storage) (is )?(full|exceeded)|\bpostfach (ist )?voll|\bbo[iî]te (aux lettres )?pleine|\b(buz[oó]n|mailbox) (est[aá] )?lleno|\bcaixa (postal )?(est[aá] )?cheia|переполнен/;

/**
 * A limit on how fast or how much: per connection, per IP, per sender, per recipient. Checked
 * before "not found", because some servers misuse 5.1.1 or 5.2.1 for exactly this.
 */
export const SAYS_RATE =
  /\btoo many (recent )?(connections|sessions|messages|mails|emails|concurrent|simultaneous|commands|requests|attempts|deliveries|recipients this|recipients per)|rate[- ]?limit|\bthrottl|\bslow down\b|\bslower\b|receiving (e-?)?mail (too quickly|at a rate)|too much (e-?)?mail|\btoo (fast|quickly|frequent)\b|\bfrequency\b|\bunexpected volume\b|\bvolume\b|has sent (to )?too many|\bsending (limit|quota)|(?<!size )\blimit (exceeded|reached)\b|\b(exceeded|exceeds|over) (the |its |your |our )?(rate|connection|sending|hourly|daily)|\b(per|an|this|each) (hour|minute|day)\b|\bunusual rate\b|\bmail flood|\btemporarily deferred\b/;

/** "Too many invalid recipients", "too many errors": the session's error budget, not the address. */
export const SESSION_LIMIT =
  /\btoo many (invalid|unknown|bad|non-?existent|failed|rejected) (recipients|users|addresses|rcpt)|\btoo many errors\b|\btoo many (bad|invalid) commands/;

/** Too many recipients in one transaction: our batch size, not the address. */
export const TOO_MANY_RECIPIENTS =
  /\btoo many recipients\b(?! this| per)|\brecipients? limit\b|\bmaximum (number of )?recipients\b|\bsize per transaction exceeded/;

/** A refusal on policy or reputation grounds: lists, spam, relaying, authentication, TLS. */
export const SAYS_BLOCKED =
  /\bblock(ed|ing)?\b|black ?list|block ?list|deny ?list|\blisted\b|\breputation\b|\brbl\b|dnsbl|spamhaus|barracuda|sorbs|spamcop|uceprotect|\bpolic(y|ies)\b|\bnot (allowed|authori[sz]ed|permitted)\b|\brelay(ing)? (access )?(denied|not permitted|prohibited)|unable to relay|\brelay not\b|\bno relaying\b|\bfiltered\b|register your ip|\baccess denied\b|\brefused\b|\bbanned\b|\babuse\b|\bspam\b|unsolicited|\bspf\b|\bdmarc\b|\bdkim\b|reverse (dns|lookup)|\brdns\b|\bptr\b|cannot find your (host ?name|reverse)|\bno reverse\b|authentication (is )?(required|needed)|requires? (smtp )?authentication|not authenticated|must (authenticate|use tls)|\btls (is )?required|requires? (tls|encryption)|(not|isn'?t) in (the )?(whitelist|allowlist|allow list)|\bprohibit|\bforbidden\b|\bdenied\b|\bfirewall\b|\bsuspicious\b|\bcomplaints?\b|\bnot welcome\b|\bunauthenticated\b|\bquarantine|rcpthosts|(not|isn'?t) in my list of/;

/** Greylisting named as such (postgrey, sqlgrey, milter-greylist, …). */
export const SAYS_GREYLISTED = /gr[ae]y ?list|postgrey|sqlgrey|\bgrey\b|\bgray\b/;

/**
 * "Try again later" and the like: what greylisting daemons say when they do not name
 * themselves — and what busy servers say too, so it counts only when nothing else does.
 */
export const SAYS_TRY_LATER =
  /please (retry|try again)|come back later|try (again )?later|temporarily (rejected|deferred)|\bdeferred\b|retry (later|in|after)/;

/**
 * Blocklists, reputation, reverse DNS: a refusal of our IP that every server of the provider
 * will repeat. With these, a refusal opens the provider's breaker.
 */
export const SAYS_LISTED =
  /blocked using|black ?list|block ?list|deny ?list|\blisted\b|spamhaus|sorbs|spamcop|barracuda|uceprotect|\brbl\b|dnsbl|\breputation\b|reverse (dns|lookup|hostname)|\brdns\b|\bptr\b|cannot find your (host ?name|reverse)|\bno reverse\b|(not|isn'?t) in (the )?(whitelist|allowlist|allow list)|unsolicited|\bcomplaints?\b|\babuse\b|\bspam(ming)?\b|\bdynamic\b|\bdial-?up\b|\bresidential\b/;

/**
 * Sender problems that every server will find: the MAIL FROM domain does not resolve, fails
 * SPF/DMARC, is not a valid address. A recipient's own policy on senders ("only accepts mail
 * from …") is not among them.
 */
export const SENDER_FLAW =
  /domain not found|(does not|doesn'?t) (exist|resolve)|unresolvable|no (mx|a) record|\bspf\b|\bdmarc\b|\bdkim\b|sender verif|verification failed|not a valid|invalid (sender|address)|emetteur invalide|\bsyntax\b|unauthenticated|\bnull mx\b/;

/** The server's own trouble: internal errors, resources, configuration, lookups. */
export const SAYS_SERVER_TROUBLE =
  /\binternal\b|\bsystem (error|problem|failure|busy)|\bserver (error|busy|problem)|\blocal (error|problem|configuration)|\b(insufficient|out of) (system )?(resources|storage|memory|disk)|\bresources?\b|\btemporar(il)?y (local |system )?(problem|failure|error|unavailable)|\bservice (is )?(currently |temporarily )?(not available|unavailable)|\bdatabase\b|\blookup (failure|failed|error)|\bconfiguration error|\bmisconfigur|\btimed? ?out\b|\bunable to (process|verify)|\bcannot (process|verify)|\bprocessing error|\btransaction failed|\bbackend\b|\bloop\b|\berror in processing\b|\btrouble\b|\bbusy\b/;

/** Complaints about our command rather than the address: syntax, order, unknown verbs. */
export const SAYS_PROTOCOL =
  /\bsyntax\b|\bbad sequence\b|\bcommand (not )?(recogni[sz]ed|implemented|unrecogni[sz]ed)|\bunrecogni[sz]ed command|\bnot implemented\b|\bline too long\b|\bunknown command\b|\binvalid command\b|\bparameters?\b|\bneed (mail|rcpt|helo|ehlo)\b|\bsend (helo|ehlo)\b|\bout of sequence\b|\bpipelining\b|\bprotocol (violation|error)\b/;

/** RFC 7505 null MX, named in a 5.1.10 reply. */
export const SAYS_NULL_MX = /\bnull mx\b/;
