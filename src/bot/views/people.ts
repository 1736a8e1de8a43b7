import { AUTOPILOT, OUTSIDE } from '../../domain/run';

/** Who did something, for Slack: a user mention, the autopilot, or someone outside the bot. */
export function actorText(actor: string): string {
  if (actor === AUTOPILOT) return 'the autopilot (FAILBACK_AUTO_REPROTECT)';
  if (actor === OUTSIDE) return 'someone outside the bot (seen in ASR)';
  return `<@${actor}>`;
}
