import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { AsrEstate } from '../azure/estate';
import { readEstateLists, readEstateServers } from '../azure/estate-lists';
import { estateTitle, READINESS_ROWS_SHOWN, readinessCsv, readinessMessage } from '../bot/views/readiness';
import { readinessReport, type ReadinessReport } from '../domain/readiness';
import { Semaphore } from '../domain/semaphore';
import type { FactsCache } from '../store/facts-cache';
import type { MessageLedger } from '../store/message-ledger';
import { slackCall } from './slack-rate-limit';

export interface DigestDeps {
  readonly estate: AsrEstate;
  readonly facts: FactsCache;
  readonly client: WebClient;
  readonly ledger: MessageLedger;
  readonly channel: string;
  readonly now: () => number;
  readonly log: Logger;
  readonly signal?: AbortSignal | undefined;
}

/** Recovery-point reads one digest makes at most (the rest show as not read), a few at a time. */
const DIGEST_POINT_READS = 200;
const DIGEST_READS_AT_ONCE = 4;

/**
 * The daily readiness digest: the vault read afresh (lists, servers, the recovery points the cache
 * lacks — bounded), posted to the configured channel, the full table as a CSV in its thread. Reads
 * fail before anything is posted (the job is tried again); once posted, a failed upload is logged,
 * never posted twice.
 */
export async function postReadinessDigest(deps: DigestDeps): Promise<void> {
  const options = { abortSignal: deps.signal };
  const [{ vms, plans, unreadable }, servers] = await Promise.all([
    readEstateLists(deps.estate, { signal: deps.signal }),
    readEstateServers(deps.estate, { signal: deps.signal }),
  ]);
  await Promise.all([
    deps.facts.putVms(vms),
    deps.facts.putPlans(plans),
    deps.facts.putServers(servers),
    deps.facts.putUnreadable(unreadable),
  ]);
  const points = await deps.facts.points(vms.map((v) => v.id));
  const slots = new Semaphore(DIGEST_READS_AT_ONCE);
  const missing = vms
    .filter((v) => !points.has(v.id) && v.health?.rpoSeconds === undefined)
    .slice(0, DIGEST_POINT_READS);
  await Promise.all(
    missing.map((vm) =>
      slots.run(async () => {
        try {
          const summary = await deps.estate.of(vm.id).summarizePoints(vm.id, options);
          points.set(vm.id, summary);
          await deps.facts.putPoints(vm.id, summary);
        } catch (err) {
          deps.log.warn({ err, vm: vm.name }, 'digest: could not read recovery points');
        }
      }),
    ),
  );
  const now = deps.now();
  const report = readinessReport({
    vms,
    plans,
    points,
    servers,
    unreadable,
    now: new Date(now),
    listsReadAt: new Date(now).toISOString(),
  });
  await postReadiness(
    { client: deps.client, log: deps.log, post: (call) => slackCall(deps, 'chat.postMessage', call) },
    {
      channel: deps.channel,
      report,
      prefix: 'Daily digest — ',
      fileComment: 'Readiness of every VM and plan.',
    },
  );
  deps.log.info({ channel: deps.channel, rows: report.rows.length }, 'readiness digest posted');
}

/**
 * Posts a readiness report in a channel: the message (worst rows, counts), and — when it has more
 * rows than a message shows — the full table as a CSV in its thread. A failed upload is logged: the
 * message stands (posting it again would be a duplicate).
 */
export async function postReadiness(
  deps: {
    readonly client: WebClient;
    readonly log: Logger;
    /** How the message is posted (jobs go through the rate-limit ledger; listeners call at once). */
    readonly post?: (call: () => Promise<{ ts?: string | undefined }>) => Promise<{ ts?: string | undefined }>;
  },
  what: {
    readonly channel: string;
    readonly report: ReadinessReport;
    readonly prefix?: string;
    readonly fileComment: string;
  },
): Promise<void> {
  const { report } = what;
  const more = report.rows.length > READINESS_ROWS_SHOWN;
  const message = readinessMessage(report, {
    fileNote: more ? `Every row of the ${report.rows.length} is in the CSV file in this thread.` : undefined,
  });
  const call = () =>
    deps.client.chat.postMessage({
      channel: what.channel,
      text: `${what.prefix ?? ''}${message.text}`,
      blocks: message.blocks,
      unfurl_links: false,
    });
  const posted = await (deps.post ? deps.post(call) : call());
  if (!more || !posted.ts) return;
  const stamp = report.at.slice(0, 16).replace(/[:T]/g, '-');
  await deps.client
    .filesUploadV2({
      channel_id: what.channel,
      thread_ts: posted.ts,
      initial_comment: what.fileComment,
      file_uploads: [
        {
          filename: `readiness-${estateTitle(report).replace(/[^\w.-]+/g, '-')}-${stamp}.csv`,
          content: readinessCsv(report),
        },
      ],
    })
    .catch((err: unknown) => deps.log.warn({ err }, 'the readiness CSV could not be uploaded'));
}
