// Money in the console: amounts travel as integer cents; the user types euros. Pure functions (no Svelte state),
// so the parsing rules are unit-tested (money.test.ts).

/** The server's ceiling for one top-up (billing.service.MAX_TOP_UP_CENTS): 10,000.00. */
export const MAX_TOP_UP_CENTS = 1_000_000;
/** The server's ceiling for the monthly cap on automatic top-ups (billing.service.MAX_CAP_CENTS): 100,000.00. */
export const MAX_CAP_CENTS = 10 * MAX_TOP_UP_CENTS;

export type AmountError = 'REQUIRED' | 'INVALID' | 'NEGATIVE' | 'TOO_MANY_DECIMALS' | 'NOT_POSITIVE' | 'TOO_LARGE';
export type AmountResult = { ok: true; cents: number } | { ok: false; error: AmountError };

// Spaces (also the no-break and narrow no-break spaces Intl puts in "1 000,00 €") may group thousands.
const SPACES = /[\s\u00a0\u202f]/g;

/**
 * "25", "25,5", "25.50", "1 000,00", "10 €" → cents, with integer arithmetic only (never 0.1 + 0.2).
 * Refused: empty, negatives ("-5", "−5"), more than 2 decimals, zero, above `max`, and anything else
 * ("1e3", "+5", "1,000.50", "abc", "5,").
 */
export function parseEurosToCents(input: string, max: number = MAX_TOP_UP_CENTS): AmountResult {
  const text = input.replace(SPACES, '').replace(/^€|€$/g, '');
  if (text === '') return { ok: false, error: 'REQUIRED' };
  if (/^[-\u2212]/.test(text)) return { ok: false, error: 'NEGATIVE' };
  const match = /^(\d+)(?:[.,](\d+))?$/.exec(text);
  if (!match) return { ok: false, error: 'INVALID' };
  const [, whole, fraction = ''] = match;
  if (fraction.length > 2) return { ok: false, error: 'TOO_MANY_DECIMALS' };
  const units = whole.replace(/^0+(?=\d)/, '');
  if (units.length > 12) return { ok: false, error: 'TOO_LARGE' };
  const cents = Number(units) * 100 + Number(fraction.padEnd(2, '0'));
  if (cents === 0) return { ok: false, error: 'NOT_POSITIVE' };
  if (cents > max) return { ok: false, error: 'TOO_LARGE' };
  return { ok: true, cents };
}

/** "50,00 €" (fr), "€50.00" (en); `signed` adds "+" to credits ("+10,00 €"), debits keep their "-". */
export function formatCents(lang: string, cents: number, currency = 'EUR', { signed = false } = {}): string {
  return new Intl.NumberFormat(lang, {
    style: 'currency',
    currency,
    signDisplay: signed ? 'exceptZero' : 'auto',
  }).format(cents / 100);
}
