/**
 * The fields of a verification result as the contract names them (docs/DESIGN.md §4 and §5:
 * the `listclean verify` line, the same object over HTTP, report.csv's verdict columns), spelt
 * out by hand so a test compares the code with the contract rather than with itself.
 */
export const CLI_CONTRACT_FIELDS = [
  'email',
  'email_normalized',
  'status',
  'reason',
  'risk_score',
  'role',
  'free',
  'disposable',
  'catch_all',
  'suggestion',
  'mx_host',
  'smtp_code',
  'smtp_enhanced_code',
  'detail',
  'checked_at',
  'rule',
  'mx_provider',
  'spf',
  'dmarc',
  'egress',
  'trace',
];
