import { createHash } from 'node:crypto';
import { LIMITS } from './text';

/**
 * The value of a VM's option in the VM select. Slack allows at most 150 characters; ARM ids are
 * usually shorter and are used as they are, longer ones become a stable key `k:<sha1>`. The
 * listeners map values back by comparing `optionKey(vm.id)` over the VM list they cached.
 */
export function optionKey(id: string): string {
  return id.length <= LIMITS.optionValue ? id : `k:${createHash('sha1').update(id).digest('hex')}`;
}
