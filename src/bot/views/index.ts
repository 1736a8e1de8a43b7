/** Pure Block Kit builders: data in, blocks out; no I/O, time as a parameter. */
export { loadingModal, requestErrorModal, requestModal, type RequestModalInput } from './request-modal';
export { optionKey } from './option-key';
export { formatAge, utcTime } from './time';
export { PHASE_TEXT, runCard, vmLine, type RunCardOptions } from './run-card';
export { asrJobLink, portalHost, type JobLink } from './portal-link';
export { verificationPrompt, type Approvers } from './verification-prompt';
export { confirmCommitModal } from './confirm-commit-modal';
export { helpText } from './help';
export * from './reprotect-modal';
export * from './run-summary';
export * from './history';
export * from './leave-out-modal';
export { runReport, runReportMarkdown, type RunReport } from './run-report';
export { runReportHtml } from './run-report-html';
export { appHome, appHomeUnavailable, type AppHomeInput } from './app-home';
