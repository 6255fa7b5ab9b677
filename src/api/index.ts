/** The HTTP API: the app, and the helpers further route plugins (schedules, runs) build on. */
export { type BuildAppOptions, buildApp } from './app.ts';
export { tenantOf } from './auth.ts';
export { ApiError, apiError, type ErrorBody } from './errors.ts';
export { allListKeys, purgeList } from './purge-list.ts';
export { downloadName, REPORT_KIND_NAMES, REPORT_KINDS, reportKind } from './report-kinds.ts';
export { requireList } from './require-list.ts';
export { errorSchema, errors, listIdParams } from './schemas.ts';
export { sendReport } from './send-report.ts';
export { V1_ROUTES } from './v1.ts';
