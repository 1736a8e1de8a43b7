/**
 * Microsoft's failback tutorial: for about 15 minutes after the AVS VM starts, reprotect fails because the VM's agent
 * (Mobility service) has not registered with the configuration server / appliance again. ASR has
 * no documented error code for it, so it is recognised from the code or the message. Keep every
 * wording seen in the field here, and nowhere else.
 */
const CODES = new Set(['ReprotectPreconditionFailed', '539', '78006', '78007']);
const SUBJECT = /(mobility\s+(service|agent)|\bagent\b)/i;
const STATE =
  /(not\s+(yet\s+)?(installed|registered|reachable|running|connected|responding)|has\s+not\s+(yet\s+)?registered|registration\s+(is\s+)?(pending|in\s+progress|not\s+complete)|not\s+heartbeating)/i;

export function isAgentNotRegistered(error: {
  readonly code?: string | undefined;
  readonly message?: string | undefined;
}): boolean {
  const message = error.message ?? '';
  if (SUBJECT.test(message) && STATE.test(message)) return true;
  return error.code !== undefined && CODES.has(error.code) && SUBJECT.test(message);
}
