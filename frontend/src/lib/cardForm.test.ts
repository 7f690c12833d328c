import { describe, expect, it } from 'vitest';
import { buildCardInput, emptyCard, expiryYears, luhnValid, validateCard } from './cardForm';

const today = { year: 2026, month: 11 };
const valid = { number: '4242 4242 4242 4242', expMonth: '12', expYear: '2030', cvc: '123', autoTopUp: true };

describe('card form', () => {
  it('accepts the gateway test cards', () => {
    for (const number of ['4242 4242 4242 4242', '4000 0000 0000 0002', '4000-0000-0000-9995']) {
      expect(validateCard({ ...valid, number }, today), number).toEqual({});
    }
  });

  it('checks the number with Luhn and its length', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(validateCard({ ...valid, number: '4242 4242 4242 4241' }, today)).toEqual({ number: 'CARD_INVALID' });
    expect(validateCard({ ...valid, number: '4242' }, today)).toEqual({ number: 'CARD_INVALID' });
    expect(validateCard({ ...valid, number: '4242abcd42424242' }, today)).toEqual({ number: 'CARD_INVALID' });
    expect(validateCard({ ...valid, number: ' ' }, today)).toEqual({ number: 'NUMBER_REQUIRED' });
  });

  it('refuses a missing or past expiry, accepts the current month', () => {
    expect(validateCard({ ...valid, expMonth: '' }, today)).toEqual({ expMonth: 'EXPIRY_REQUIRED' });
    expect(validateCard({ ...valid, expYear: '' }, today)).toEqual({ expYear: 'EXPIRY_REQUIRED' });
    expect(validateCard({ ...valid, expMonth: '10', expYear: '2026' }, today)).toEqual({ expMonth: 'CARD_EXPIRED' });
    expect(validateCard({ ...valid, expMonth: '12', expYear: '2025' }, today)).toEqual({ expMonth: 'CARD_EXPIRED' });
    expect(validateCard({ ...valid, expMonth: '11', expYear: '2026' }, today)).toEqual({});
  });

  it('wants a CVC of 3 or 4 digits', () => {
    expect(validateCard({ ...valid, cvc: '12' }, today)).toEqual({ cvc: 'CVC_INVALID' });
    expect(validateCard({ ...valid, cvc: '12a' }, today)).toEqual({ cvc: 'CVC_INVALID' });
    expect(validateCard({ ...valid, cvc: '1234' }, today)).toEqual({});
  });

  it('reports every problem of an empty form', () => {
    expect(Object.keys(validateCard(emptyCard(), today)).sort()).toEqual(['cvc', 'expMonth', 'expYear', 'number']);
  });

  it('sends digits and numbers', () => {
    expect(buildCardInput(valid)).toEqual({ number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123', autoTopUp: true });
  });

  it('offers this year and the next ones', () => {
    expect(expiryYears(today, 3)).toEqual([2026, 2027, 2028]);
  });
});
