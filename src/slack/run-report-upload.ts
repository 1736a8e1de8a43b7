import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { runReport, runReportHtml, runReportMarkdown } from '../bot/views';
import { phaseOf } from '../domain/run';
import type { RunStore } from '../store/run-store';
import { FIND_MARGIN_MS, postOnce, slackTs } from './run-messages';
import { FINAL_REPORT_KEY, type MessageLedger } from '../store/message-ledger';
import { slackCall } from './slack-rate-limit';
import { ReportNotReadyError } from '../errors';

export { ReportNotReadyError };

export interface ReportUploadDeps {
  readonly client: WebClient;
  readonly ledger: MessageLedger;
  readonly store: RunStore;
  readonly now: () => number;
  readonly log: Logger;
}

/** How long a report waits for the run card (its thread) without using up attempts. */
const CARD_GRACE_MS = 10 * 60_000;
/** How long the final report waits for the closing summary to go first. */
const SUMMARY_GRACE_MS = 30_000;

export const reportFileNames = (runId: string) => ({ markdown: `${runId}-report.md`, html: `${runId}-report.html` });

export type ReportUploadOutcome = 'uploaded' | 'already-uploaded';

/**
 * Uploads a run's report (Markdown and printable HTML) to the thread of its run card. The final
 * report (`FINAL_REPORT_KEY`) is uploaded once per run across retries and restarts; any other key
 * is a request and uploads each time.
 */
export async function uploadRunReport(
  deps: ReportUploadDeps,
  runId: string,
  key: string,
): Promise<ReportUploadOutcome> {
  if (key === FINAL_REPORT_KEY && (await deps.ledger.posted('report', runId))) return 'already-uploaded';
  return upload(deps, runId, key);
}

async function upload(deps: ReportUploadDeps, runId: string, key: string): Promise<ReportUploadOutcome> {
  const final = key === FINAL_REPORT_KEY;

  const run = await deps.store.require(runId);
  if (!run.card) {
    // Its card job is still trying; a card that never came is an ordinary failure (attempts, back-off).
    if (deps.now() - Date.parse(run.createdAt) < CARD_GRACE_MS)
      throw new ReportNotReadyError(runId, 'its run card is not posted yet');
    throw new Error(`run ${runId} has no card: no thread to upload its report to`);
  }
  const cardTs = run.card.ts;
  const files = reportFileNames(run.id);
  if (final) {
    // The closing summary goes first when the run is done, unless it is long overdue.
    const closedAgo = deps.now() - Date.parse(run.closedAt ?? run.createdAt);
    if (phaseOf(run) === 'done' && !(await deps.ledger.posted('summary', runId)) && closedAgo < SUMMARY_GRACE_MS) {
      throw new ReportNotReadyError(runId, 'the closing summary is not posted yet', 500);
    }
  }

  const report = runReport(run, await deps.store.trail(runId), new Date(deps.now()));
  const share = async () => {
    await slackCall(deps, 'files.uploadV2', () =>
      deps.client.filesUploadV2({
        channel_id: run.channelId,
        thread_ts: cardTs,
        initial_comment: `Run report of ${run.id}${final ? '' : ' (as of now)'}: Markdown, and HTML that prints well.`,
        file_uploads: [
          { filename: files.markdown, title: `${run.id} run report (Markdown)`, content: runReportMarkdown(report) },
          { filename: files.html, title: `${run.id} run report (HTML, printable)`, content: runReportHtml(report) },
        ],
      }),
    );
    return 'uploaded';
  };
  if (!final) {
    await share();
  } else {
    // An earlier attempt may have uploaded without recording it: the thread is looked at first.
    const found = async (since: number) =>
      (await foundInThread(deps, run.channelId, cardTs, files.markdown, since)) ? 'found' : undefined;
    const outcome = await postOnce(deps, runId, 'report', found, share);
    await deps.ledger.markPosted('report', runId);
    if (outcome === 'found') return 'already-uploaded';
  }
  deps.log.info({ runId, key }, 'run report uploaded');
  return 'uploaded';
}

async function foundInThread(
  deps: ReportUploadDeps,
  channel: string,
  cardTs: string,
  filename: string,
  since: number,
): Promise<boolean> {
  const res = await slackCall(deps, 'conversations.replies', () =>
    deps.client.conversations.replies({ channel, ts: cardTs, oldest: slackTs(since - FIND_MARGIN_MS), limit: 100 }),
  );
  return (res.messages ?? []).some((m) => (m.files ?? []).some((f) => f.name === filename));
}
