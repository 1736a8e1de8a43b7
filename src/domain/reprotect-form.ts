/**
 * What the reprotect modal asks, described without naming any ASR provider: the Azure layer
 * builds it from each VM's own fabric (process servers, master targets, policies…), the modal
 * renders it, and the choices go back to the Azure layer as field → value per VM.
 */
export interface ReprotectOption {
  readonly value: string;
  readonly label: string;
  /** Marked in the list and never the default. */
  readonly unhealthy?: boolean | undefined;
  /** ASR's health word (Normal, Warning, Critical…) and the last heartbeat, when known. */
  readonly health?: string | undefined;
  readonly lastHeartbeat?: string | undefined;
  /** A short word on what it is (e.g. “served the failback from Azure”), shown with the label. */
  readonly note?: string | undefined;
}

export interface ReprotectField {
  /** The input's field name (e.g. processServerId); stable, used as the choice key. */
  readonly id: string;
  readonly label: string;
  readonly optional: boolean;
  readonly options: readonly ReprotectOption[];
  readonly initial?: string | undefined;
  /** Why the options could not be read (shown next to the field; a required one then blocks the submission). */
  readonly unavailable?: string | undefined;
}

/** VMs that share a fabric share the same choices. */
export interface ReprotectGroup {
  readonly key: string;
  /** Where the data goes through, e.g. "Configuration server avs-cs01". */
  readonly title: string;
  readonly vmIds: readonly string[];
  readonly vmNames: readonly string[];
  readonly fields: readonly ReprotectField[];
}

export interface ReprotectForm {
  readonly groups: readonly ReprotectGroup[];
}

/** Choices per VM from choices per group. */
export function choicesPerVm(
  form: ReprotectForm,
  perGroup: Readonly<Record<string, Readonly<Record<string, string>>>>,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const g of form.groups) for (const id of g.vmIds) out[id] = { ...(perGroup[g.key] ?? {}) };
  return out;
}

/** Required fields left empty, named for the modal. */
export function missingChoices(
  form: ReprotectForm,
  perGroup: Readonly<Record<string, Readonly<Record<string, string>>>>,
): string[] {
  return form.groups.flatMap((g) =>
    g.fields.filter((f) => !f.optional && !perGroup[g.key]?.[f.id]).map((f) => `${f.label} (${g.title})`),
  );
}
