/** The answer to `/failback help` (mrkdwn, ephemeral). */
export function helpText(): string {
  return [
    '*failback-bot* fails Azure VMware Solution VMs back from Azure with Azure Site Recovery.',
    '• `/failback` opens the request: pick the VMs or a recovery plan, the recovery point, the incident reference and a reason. Until the failover is issued, the requester or an approver can cancel it on the card.',
    '• The flow: preflight (replicated to AVS, a recovery point, nothing running) → failover from Azure → you verify on AVS → an approver commits (deletes the Azure VMs) → reprotect to Azure.',
    '• `/failback status FB-7` shows a run’s card and timeline; `/failback history [n]` lists the last n runs. The app’s Home tab shows the runs waiting for you.',
    '• `/failback report FB-7` uploads a run’s report (Markdown, and HTML that prints well: timeline, RPO, durations, approvals, ASR job ids) to its thread; it is uploaded by itself when a run ends.',
    '• `/failback readiness` shows what can fail back now, worst first: each VM’s and plan’s RPO (age of the newest points), replication health, agent and server heartbeats, and what blocks the others (the full table as a CSV in its thread).',
    '• `/failback help` shows this.',
    'Four eyes (on by default): only a configured approver can commit, and not the person who requested the run. A run waiting for Commit is reminded in its thread; the bot never commits by itself.',
  ].join('\n');
}
