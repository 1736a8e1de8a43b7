import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';

/**
 * Resolves whether a user belongs to one of the configured approver user groups, with the
 * membership cached briefly so a burst of clicks costs one `usergroups.users.list` per group.
 */
export class ApproverDirectory {
  private readonly cache = new Map<string, { members: Set<string>; at: number }>();

  private readonly client: WebClient;
  private readonly groups: readonly string[];
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly ttlMs: number;

  constructor(options: {
    readonly client: WebClient;
    readonly groups: readonly string[];
    readonly log: Logger;
    readonly now: () => number;
    readonly ttlMs?: number | undefined;
  }) {
    this.client = options.client;
    this.groups = options.groups;
    this.log = options.log;
    this.now = options.now;
    this.ttlMs = options.ttlMs ?? 60_000;
  }

  async isInApproverGroup(userId: string): Promise<boolean> {
    return this.isInAnyGroup(userId, this.groups);
  }

  /** Whether the user belongs to one of `groups` (e.g. FAILBACK_REQUESTERS' user groups). */
  async isInAnyGroup(userId: string, groups: readonly string[]): Promise<boolean> {
    for (const group of groups) {
      if ((await this.members(group)).has(userId)) return true;
    }
    return false;
  }

  /** Every member of the approver user groups (as Slack lists them now, cached briefly). */
  async groupMembers(): Promise<string[]> {
    const all = await Promise.all(this.groups.map((g) => this.members(g)));
    return [...new Set(all.flatMap((m) => [...m]))];
  }

  private async members(group: string): Promise<Set<string>> {
    const hit = this.cache.get(group);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.members;
    try {
      const res = await this.client.usergroups.users.list({ usergroup: group });
      const members = new Set(res.users ?? []);
      this.cache.set(group, { members, at: this.now() });
      return members;
    } catch (e) {
      this.log.warn({ err: e, group }, 'could not read a user group; treating as no members');
      return hit?.members ?? new Set();
    }
  }
}
