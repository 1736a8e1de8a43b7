/**
 * Where the bot's keys live. Every key the bot (and BullMQ, through its `prefix`) writes starts with
 * one Redis Cluster hash tag — `{fb}:run:FB-7`, `{fb}:fb-steps:wait` — so all of them hash to one
 * slot. That is what makes the run store's multi-key scripts, MGET and MULTI valid on a Redis Cluster
 * (Azure Managed Redis' OSS cluster policy) and on a proxy that refuses cross-slot commands (its
 * Enterprise policy); on a single Redis a hash tag is just part of the name.
 *
 * The price: one slot lives on one shard, so the bot's data is not spread over the cluster. The bot
 * keeps a few hundred keys and a few MB; one shard carries that with room to spare.
 */
export const DEFAULT_KEY_PREFIX = '{fb}';

const HASH_TAGGED = /^\{[^{}]+\}$/;

/**
 * The prefix as a hash tag: `fb` → `{fb}`; `{fb}` stays. Applying it twice changes nothing.
 * @throws on a prefix with braces that is not one whole hash tag (its slot would not be the prefix's).
 */
export function keyPrefix(prefix: string): string {
  if (HASH_TAGGED.test(prefix)) return prefix;
  if (prefix === '' || /[{}]/.test(prefix)) {
    throw new Error(`Redis key prefix ${JSON.stringify(prefix)} must be a name or one hash tag such as {fb}`);
  }
  return `{${prefix}}`;
}
