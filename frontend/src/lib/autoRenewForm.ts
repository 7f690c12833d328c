// The auto-renewal form's logic, free of any UI: initial values, validation, the mutation input, the mapping of
// the server's userErrors to fields, and which warnings to show. AutoRenewForm.svelte only renders it.
import { splitUserErrors, type FormErrors } from './api/errors';
import type {
  AutoRenewFieldsFragment as AutoRenew,
  AutoRenewInput,
  AutoRenewWarningFieldsFragment as AutoRenewWarning,
  AutoRenewWarningCode as WarningCode,
  DomainAutoRenewFieldsFragment as DomainAutoRenew,
  OrganizationRefFragment as OrganizationRef,
  RenewalPeriod,
  UserErrorFieldsFragment as UserError,
} from './api/generated/graphql';

export const FORM_FIELDS = ['enabled', 'period', 'payerOrganizationId'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export interface AutoRenewValues {
  enabled: boolean;
  period: RenewalPeriod | null;
  payerOrganizationId: string | null;
}

/** Client-side error codes, the same as the server's so they share translations. */
export type ValidationErrors = Partial<Record<FormField, 'PERIOD_REQUIRED' | 'PAYER_REQUIRED'>>;

/**
 * Values the form opens with: the current settings; when there is no payer yet, the domain owner if the user
 * may charge it, else the only organization the user may charge.
 */
export function initialValues(
  current: AutoRenew | null | undefined,
  payables: readonly OrganizationRef[],
  ownerId?: string | null,
): AutoRenewValues {
  const defaultPayer =
    payables.find((o) => o.id === ownerId)?.id ?? (payables.length === 1 ? payables[0].id : null);
  return {
    enabled: current?.enabled ?? false,
    period: current?.period ?? null,
    payerOrganizationId: current?.payer?.id ?? defaultPayer,
  };
}

/** For bulk: the settings shared by every selected mailbox, turned on (that is what bulk is for). */
export function commonValues(
  selected: readonly { autoRenew: AutoRenew }[],
  payables: readonly OrganizationRef[],
  ownerId?: string | null,
): AutoRenewValues {
  const same = <T>(pick: (a: AutoRenew) => T): T | null => {
    if (selected.length === 0) return null;
    const first = pick(selected[0].autoRenew);
    return selected.every((m) => pick(m.autoRenew) === first) ? first : null;
  };
  const base = initialValues(null, payables, ownerId);
  return {
    enabled: true,
    period: same((a) => a.period) ?? base.period,
    payerOrganizationId: same((a) => a.payer?.id ?? null) ?? base.payerOrganizationId,
  };
}

/** The same rules as the server: when turning on, a period and a payer are required. */
export function validate(values: AutoRenewValues): ValidationErrors {
  const errors: ValidationErrors = {};
  if (!values.enabled) return errors;
  if (!values.period) errors.period = 'PERIOD_REQUIRED';
  if (!values.payerOrganizationId) errors.payerOrganizationId = 'PAYER_REQUIRED';
  return errors;
}

/**
 * The `AutoRenewInput` sent to setAutoRenew / bulkSetAutoRenew. Turning off sends `{enabled: false}` alone, so
 * a user may switch off a renewal even when the recorded payer is one they may not charge.
 */
export function buildInput(values: AutoRenewValues): AutoRenewInput {
  if (!values.enabled) return { enabled: false };
  return { enabled: true, period: values.period, payerOrganizationId: values.payerOrganizationId };
}

/** Server userErrors → the form's fields (by the last element of `field`) and form-level messages. */
export function mapUserErrors(userErrors: readonly UserError[], fallback?: (code: string) => string): FormErrors {
  return splitUserErrors(userErrors, FORM_FIELDS, fallback);
}

/** Options of the payer drop-down: the payable organizations, plus the current payer if it is not among them. */
export function payerOptions(
  payables: readonly OrganizationRef[],
  currentPayer: OrganizationRef | null | undefined,
): { id: string; name: string; allowed: boolean }[] {
  const options = payables.map((o) => ({ id: o.id, name: o.name, allowed: true }));
  if (currentPayer && !payables.some((o) => o.id === currentPayer.id)) {
    options.push({ id: currentPayer.id, name: currentPayer.name, allowed: false });
  }
  return options;
}

/**
 * Warnings to show next to the form: the server's (computed on the saved settings), plus DOMAIN_AUTO_RENEW_OFF
 * as soon as the user turns the switch on while the domain's own auto-renewal is off. Turning the switch off
 * hides the warnings that only matter while auto-renewal is on.
 */
export function visibleWarnings(
  values: Pick<AutoRenewValues, 'enabled'>,
  serverWarnings: readonly AutoRenewWarning[],
  domainAutoRenew: DomainAutoRenew | null | undefined,
): AutoRenewWarning[] {
  if (!values.enabled) return [];
  const warnings = serverWarnings.filter(
    (w) => !(w.code === 'DOMAIN_AUTO_RENEW_OFF' && domainAutoRenew?.enabled),
  );
  if (domainAutoRenew && !domainAutoRenew.enabled && !warnings.some((w) => w.code === 'DOMAIN_AUTO_RENEW_OFF')) {
    warnings.unshift({ code: 'DOMAIN_AUTO_RENEW_OFF', message: '', amountCents: null });
  }
  return warnings;
}

const DOMAIN_WARNINGS: readonly WarningCode[] = ['DOMAIN_AUTO_RENEW_OFF', 'DOMAIN_EXPIRES_FIRST'];

/**
 * Whether to offer "Turn on the domain's auto-renewal too": a domain warning, the domain's renewal off, the right
 * to manage it, and a payer to send (the domain's own, else `payerId`, the one chosen in the form): without one the
 * server could only refuse.
 */
export function offerDomainAutoRenew(
  warnings: readonly AutoRenewWarning[],
  domain: { viewerCanManage: boolean; autoRenew: DomainAutoRenew } | null | undefined,
  payerId?: string | null,
): boolean {
  return Boolean(
    domain?.viewerCanManage &&
      !domain.autoRenew.enabled &&
      (domain.autoRenew.payer?.id ?? payerId) &&
      warnings.some((w) => DOMAIN_WARNINGS.includes(w.code)),
  );
}

/** The payer for the domain's auto-renewal: the domain's own, else the one chosen in the form. */
export function domainPayer(domain: { autoRenew: DomainAutoRenew }, values: AutoRenewValues): string | null {
  return domain.autoRenew.payer?.id ?? values.payerOrganizationId;
}
