import type { RecoveryPointSummary } from '../domain/vm';

/**
 * Newest crash- and app-consistent points from a stream of pages. ASR lists points newest first;
 * as long as the stream keeps that order, the first point of each kind is the newest and paging
 * can stop. If the order is ever broken, every page is read.
 */
export class PointSummary {
  private count = 0;
  private crash: string | undefined;
  private app: string | undefined;
  private previous: string | undefined;
  private descending = true;

  add(time: string | undefined, type: string | undefined): void {
    if (!time) return;
    this.count++;
    if (this.previous !== undefined && time > this.previous) this.descending = false;
    this.previous = time;
    if (/app/i.test(type ?? '')) this.app = this.app === undefined || time > this.app ? time : this.app;
    else this.crash = this.crash === undefined || time > this.crash ? time : this.crash;
  }

  complete(): boolean {
    return this.descending && this.crash !== undefined && this.app !== undefined;
  }

  result(): RecoveryPointSummary {
    return { count: this.count, latestCrashConsistent: this.crash, latestAppConsistent: this.app };
  }
}
