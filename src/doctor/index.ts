/** `listclean doctor` and `GET /v1/doctor`: is this host ready to verify addresses? */
export { type DoctorOptions, runDoctor } from './doctor.ts';
export { formatCheck, formatSummary, hasFailure } from './format.ts';
export type { CheckStatus, DoctorCheck } from './types.ts';
