import type { App } from '@slack/bolt';
import { ListenerRouter } from '../../slack/listener-router';
import type { BotDeps } from '../deps';
import { registerCommitButton } from './actions/commit-button';
import { registerReprotectButton } from './actions/reprotect-button';
import { registerReprotectSubmission } from './views/reprotect-submission';
import { registerVmSelection } from './actions/vm-selection';
import { registerPlanSelection } from './actions/plan-selection';
import { registerPlanOptions } from './options/plan-options';
import { registerFailedVmButtons } from './actions/failed-vm-buttons';
import { registerCancelButton } from './actions/cancel-button';
import { registerRecheckButton } from './actions/recheck-button';
import { registerReportButton } from './actions/report-button';
import { registerLeaveOutSubmission } from './views/leave-out-submission';
import { registerFailbackCommand } from './commands/failback';
import { registerPointOptions } from './options/point-options';
import { registerVmOptions } from './options/vm-options';
import { registerReprotectOptions } from './options/reprotect-options';
import { registerCommitConfirmation } from './views/commit-confirmation';
import { registerRequestSubmission } from './views/request-submission';
import { registerAppHome } from './events/app-home';

/** Every listener of the bot, on one router mounted on `app` (see ListenerRouter for why). */
export function registerListeners(app: App, deps: BotDeps): void {
  const router = new ListenerRouter();
  const listeners = router.listeners;
  registerFailbackCommand(listeners, deps);
  registerVmSelection(listeners, deps);
  registerVmOptions(listeners, deps);
  registerPlanSelection(listeners, deps);
  registerPlanOptions(listeners, deps);
  registerPointOptions(listeners, deps);
  registerRequestSubmission(listeners, deps);
  registerCommitButton(listeners, deps);
  registerCommitConfirmation(listeners, deps);
  registerReprotectButton(listeners, deps);
  registerReprotectOptions(listeners, deps);
  registerReprotectSubmission(listeners, deps);
  registerFailedVmButtons(listeners, deps);
  registerCancelButton(listeners, deps);
  registerRecheckButton(listeners, deps);
  registerLeaveOutSubmission(listeners, deps);
  registerAppHome(listeners, deps);
  registerReportButton(listeners, deps);
  router.mount(app);
}
