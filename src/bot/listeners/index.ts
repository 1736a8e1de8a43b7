import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { registerCommitButton } from './actions/commit-button';
import { registerReprotectButton } from './actions/reprotect-button';
import { registerReprotectSubmission } from './views/reprotect-submission';
import { registerVmSelection } from './actions/vm-selection';
import { registerPlanSelection } from './actions/plan-selection';
import { registerPlanOptions } from './options/plan-options';
import { registerFailedVmButtons } from './actions/failed-vm-buttons';
import { registerCancelButton } from './actions/cancel-button';
import { registerReportButton } from './actions/report-button';
import { registerLeaveOutSubmission } from './views/leave-out-submission';
import { registerFailbackCommand } from './commands/failback';
import { registerPointOptions } from './options/point-options';
import { registerVmOptions } from './options/vm-options';
import { registerReprotectOptions } from './options/reprotect-options';
import { registerCommitConfirmation } from './views/commit-confirmation';
import { registerRequestSubmission } from './views/request-submission';
import { registerAppHome } from './events/app-home';

export function registerListeners(app: App, deps: BotDeps): void {
  registerFailbackCommand(app, deps);
  registerVmSelection(app, deps);
  registerVmOptions(app, deps);
  registerPlanSelection(app, deps);
  registerPlanOptions(app, deps);
  registerPointOptions(app, deps);
  registerRequestSubmission(app, deps);
  registerCommitButton(app, deps);
  registerCommitConfirmation(app, deps);
  registerReprotectButton(app, deps);
  registerReprotectOptions(app, deps);
  registerReprotectSubmission(app, deps);
  registerFailedVmButtons(app, deps);
  registerCancelButton(app, deps);
  registerLeaveOutSubmission(app, deps);
  registerAppHome(app, deps);
  registerReportButton(app, deps);
}
