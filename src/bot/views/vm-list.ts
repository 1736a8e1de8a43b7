import type { KnownBlock } from '@slack/types';
import { truncate } from '../../domain/mrkdwn';
import { LIMITS, section } from './text';

/**
 * Packs lines into as few texts of at most `maxChars` as possible, at most `maxChunks` of them. When
 * they do not all fit, the last text ends with `rest(n)`, n being how many lines (from the end) it
 * leaves out — lines are dropped until that tail fits, whatever its length. A line longer than
 * `maxChars` is cut (builders keep theirs well under).
 */
export function packWithRest(
  lines: readonly string[],
  maxChars: number,
  maxChunks: number,
  rest: (hidden: number) => string,
): string[] {
  const chunks: string[][] = [];
  let current: string[] = [];
  const length = (ls: readonly string[]) => ls.reduce((n, l) => n + l.length, 0) + Math.max(0, ls.length - 1);
  for (let i = 0; i < lines.length; i++) {
    const line = truncate(lines[i] ?? '', maxChars);
    if (length([...current, line]) <= maxChars) {
      current.push(line);
      continue;
    }
    if (chunks.length + 1 < Math.max(1, maxChunks)) {
      chunks.push(current);
      current = [line];
      continue;
    }
    let hidden = lines.length - i;
    while (current.length > 0 && length([...current, rest(hidden)]) > maxChars) {
      current.pop();
      hidden++;
    }
    chunks.push([...current, truncate(rest(hidden), maxChars)]);
    return chunks.map((c) => c.join('\n'));
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map((c) => c.join('\n'));
}

/** What replaces the VM lines a message has no room for: how many, and where the full list is. */
export function moreVmsText(runId: string, hidden: number): string {
  return `…and ${hidden} more VM${hidden === 1 ? '' : 's'}: see the run report (\`/failback report ${runId}\`)`;
}

/**
 * One line per VM as sections, at most `maxBlocks` of them (several lines per section); the VMs that
 * do not fit are counted, and the run report named as the place that lists them all.
 */
export function vmSections(runId: string, lines: readonly string[], maxBlocks: number): KnownBlock[] {
  return packWithRest(lines, LIMITS.sectionText, maxBlocks, (n) => moreVmsText(runId, n)).map((t) => section(t));
}
