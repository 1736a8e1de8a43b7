/** Action, callback and block ids shared by the Block Kit builders and the listener registrations. */
export const CALLBACK = {
  request: 'failback_request',
  confirmCommit: 'failback_confirm_commit',
  reprotect: 'failback_reprotect',
  leaveOut: 'failback_leave_out',
} as const;

export const BLOCK = {
  vms: 'vms',
  plan: 'plan',
  recoveryPoint: 'recovery_point',
  incident: 'incident',
  reason: 'reason',
  rpo: 'rpo',
  planMembers: 'plan_members',
  leaveOutVm: 'leave_out_vm',
  leaveOutReason: 'leave_out_reason',
  /** The confirmation's reason to commit although application checks have not all passed. */
  checksReason: 'checks_reason',
  specificPoint: 'specific_point',
  /** The request modal opened from App Home asks where the run card goes. */
  channel: 'run_channel',
  homeActions: 'home_actions',
  homeWaiting: 'home_waiting',
  homeActive: 'home_active',
} as const;

export const ACTION = {
  vms: 'vms_select',
  plan: 'plan_select',
  recoveryPoint: 'recovery_point_select',
  specificPoint: 'specific_point_select',
  incident: 'incident_input',
  reason: 'reason_input',
  commit: 'commit',
  reprotect: 'reprotect',
  retryFailover: 'retry_failover',
  /** "Cancel run" on the card, while no failover has been issued. */
  cancelRun: 'cancel_run',
  checksReason: 'checks_reason_input',
  leaveOut: 'leave_out',
  leaveOutVm: 'leave_out_vm',
  leaveOutReason: 'leave_out_reason',
  /** "Upload run report" on the closing summary. */
  uploadReport: 'upload_report',
  channel: 'run_channel_select',
  /** App Home's "Request a failback" button. */
  homeRequest: 'home_request',
  /** "Look at ASR again" on the card while an operation waits for ASR (a re-read with back-off). */
  recheck: 'recheck_asr',
} as const;

/** Block (and action) ids of the reprotect modal's fields: group index and field id. */
export const reprotectBlockId = (group: number, field: string) => `rp|${group}|${field}`;
export const parseReprotectBlockId = (blockId: string) => {
  const m = /^rp\|(\d+)\|(.+)$/.exec(blockId);
  return m ? { group: Number(m[1]), field: m[2] ?? '' } : undefined;
};

/** Matches the action ids of the reprotect modal's fields (a field beyond 100 options is searched by this id). */
export const REPROTECT_FIELD_ACTION = /^rp\|\d+\|.+$/;

/** Slack allows at most 100 options in a static select; beyond that the VM list is searched. */
export const STATIC_SELECT_MAX = 100;
