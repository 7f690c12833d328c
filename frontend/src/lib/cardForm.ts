// The "Register a card" form's logic: checks made in the browser before anything is sent (the gateway checks
// again), and the mutation input. The number and CVC live only in the form's state, which is cleared after the
// request; nothing here stores them.
import type { CardInput } from './api/generated/graphql';

export interface CardValues {
  number: string;
  /** "1".."12", "" when not chosen. */
  expMonth: string;
  /** "2027", "" when not chosen. */
  expYear: string;
  cvc: string;
  autoTopUp: boolean;
}

export type CardField = 'number' | 'expMonth' | 'expYear' | 'cvc';
export type CardErrorCode = 'NUMBER_REQUIRED' | 'CARD_INVALID' | 'EXPIRY_REQUIRED' | 'CARD_EXPIRED' | 'CVC_INVALID';

export const CARD_FIELDS: readonly CardField[] = ['number', 'expMonth', 'expYear', 'cvc'];

export function emptyCard(autoTopUp = false): CardValues {
  return { number: '', expMonth: '', expYear: '', cvc: '', autoTopUp };
}

/** Digits only: spaces and dashes the user typed to group them are dropped. */
export function cardDigits(number: string): string {
  return number.replace(/[\s-]/g, '');
}

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export interface YearMonth {
  year: number;
  /** 1..12 */
  month: number;
}

export function validateCard(values: CardValues, today: YearMonth): Partial<Record<CardField, CardErrorCode>> {
  const errors: Partial<Record<CardField, CardErrorCode>> = {};
  const digits = cardDigits(values.number);
  if (digits === '') errors.number = 'NUMBER_REQUIRED';
  else if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) errors.number = 'CARD_INVALID';
  const month = Number(values.expMonth);
  const year = Number(values.expYear);
  if (!values.expMonth || !(month >= 1 && month <= 12)) errors.expMonth = 'EXPIRY_REQUIRED';
  if (!values.expYear || !Number.isInteger(year)) errors.expYear = 'EXPIRY_REQUIRED';
  if (!errors.expMonth && !errors.expYear && (year < today.year || (year === today.year && month < today.month))) {
    errors.expMonth = 'CARD_EXPIRED';
  }
  if (!/^\d{3,4}$/.test(values.cvc.trim())) errors.cvc = 'CVC_INVALID';
  return errors;
}

export function buildCardInput(values: CardValues): CardInput {
  return {
    number: cardDigits(values.number),
    expMonth: Number(values.expMonth),
    expYear: Number(values.expYear),
    cvc: values.cvc.trim(),
    autoTopUp: values.autoTopUp,
  };
}

/** The years offered in the expiry drop-down: this year and the next `count - 1`. */
export function expiryYears(today: YearMonth, count = 15): number[] {
  return Array.from({ length: count }, (_, i) => today.year + i);
}
