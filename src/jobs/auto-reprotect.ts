import { AUTOPILOT, phaseOf, reprotectScope } from '../domain/run';
import { choicesPerVm, missingChoices } from '../domain/reprotect-form';
import type { StepDeps } from './step-processor';
import { changeRun } from './change-run';

/**
 * FAILBACK_AUTO_REPROTECT: once the commit is done, start the reprotect with the configured
 * process server and the defaults of every other input. When the configured process server is not
 * offered by a VM's fabric (or is unhealthy), nothing starts and the card keeps its Reprotect button.
 */
export async function autoReprotect(
  deps: StepDeps & { readonly reprotectRetryWindowMs: number },
  runId: string,
  processServer: string,
): Promise<void> {
  const run = await deps.store.require(runId);
  // The autopilot never starts an ASR step nobody can see (the run's channel is lost): a person does, later.
  if (phaseOf(run) !== 'awaiting-reprotect' || run.reprotect || run.channelLost) return;
  // A run's VMs are all in one vault.
  const form = await deps.estate.of(run.vms[0]?.id ?? '').reprotectForm(reprotectScope(run).map((v) => v.id));
  const wanted = processServer.toLowerCase();
  const perGroup: Record<string, Record<string, string>> = {};
  const problems: string[] = [];
  for (const g of form.groups) {
    const choices: Record<string, string> = {};
    for (const f of g.fields) if (f.initial) choices[f.id] = f.initial;
    const ps = g.fields.find((f) => f.id === 'processServerId');
    const match = ps?.options.find(
      (o) => !o.unhealthy && (o.label.toLowerCase() === wanted || o.value.toLowerCase() === wanted),
    );
    if (ps && !match) problems.push(`${g.title} offers no healthy process server “${processServer}”`);
    if (match) choices.processServerId = match.value;
    perGroup[g.key] = choices;
  }
  problems.push(...missingChoices(form, perGroup).map((m) => `no default for ${m}`));
  const at = new Date(deps.now()).toISOString();
  if (problems.length > 0) {
    deps.log.warn({ runId, problems }, 'autopilot did not start the reprotect');
    await deps.store.audit(runId, {
      at,
      what: 'autopilot did not start the reprotect',
      actor: AUTOPILOT,
      detail: problems.join('; '),
    });
    return;
  }
  await changeRun(deps, runId, {
    type: 'reprotect-requested',
    by: AUTOPILOT,
    at,
    windowMs: deps.reprotectRetryWindowMs,
    choices: choicesPerVm(form, perGroup),
  });
}
