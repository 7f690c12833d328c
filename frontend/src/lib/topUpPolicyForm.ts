// The top-up policy form's logic (Billing page): euros typed → integer cents, an empty cap = no cap, the cap never
// below the minimum (the server's INVALID_CAP), and the saved values shown back as euros. Pure, unit-tested.
import type { TopUpPolicyInput } from './api/generated/graphql';
import { MAX_CAP_CENTS, MAX_TOP_UP_CENTS, parseEurosToCents, type AmountError } from './money';

export type PolicyField = 'minimumCents' | 'monthlyCapCents';
/** An amount error of money.ts, or the cap below the minimum. */
export type PolicyError = AmountError | 'CAP_BELOW_MINIMUM';

export type PolicyResult =
  | { ok: true; input: TopUpPolicyInput }
  | { ok: false; errors: Partial<Record<PolicyField, PolicyError>> };

export function parseTopUpPolicy(minimum: string, cap: string): PolicyResult {
  const errors: Partial<Record<PolicyField, PolicyError>> = {};
  const min = parseEurosToCents(minimum, MAX_TOP_UP_CENTS);
  if (!min.ok) errors.minimumCents = min.error;
  let monthlyCapCents: number | null = null;
  if (cap.trim() !== '') {
    const parsed = parseEurosToCents(cap, MAX_CAP_CENTS);
    if (!parsed.ok) errors.monthlyCapCents = parsed.error;
    else if (min.ok && parsed.cents < min.cents) errors.monthlyCapCents = 'CAP_BELOW_MINIMUM';
    else monthlyCapCents = parsed.cents;
  }
  if (!min.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { minimumCents: min.cents, monthlyCapCents } };
}

/** Cents as the user would type them: "10,00" (fr), "10.00" (en); null → "" (no cap). */
export function centsToInput(lang: string, cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '';
  const separator = lang === 'fr' ? ',' : '.';
  return `${Math.trunc(cents / 100)}${separator}${String(Math.abs(cents % 100)).padStart(2, '0')}`;
}
