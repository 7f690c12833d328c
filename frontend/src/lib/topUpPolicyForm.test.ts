import { describe, expect, it } from 'vitest';
import { centsToInput, parseTopUpPolicy } from './topUpPolicyForm';

describe('parseTopUpPolicy', () => {
  it('turns euros into cents, an empty cap into no cap', () => {
    expect(parseTopUpPolicy('20', '')).toEqual({ ok: true, input: { minimumCents: 2000, monthlyCapCents: null } });
    expect(parseTopUpPolicy('12,50', '100.00')).toEqual({ ok: true, input: { minimumCents: 1250, monthlyCapCents: 10000 } });
  });

  it('refuses a missing or bad minimum and a cap below the minimum, per field', () => {
    expect(parseTopUpPolicy('', '')).toEqual({ ok: false, errors: { minimumCents: 'REQUIRED' } });
    expect(parseTopUpPolicy('-5', 'abc')).toEqual({ ok: false, errors: { minimumCents: 'NEGATIVE', monthlyCapCents: 'INVALID' } });
    expect(parseTopUpPolicy('50', '20')).toEqual({ ok: false, errors: { monthlyCapCents: 'CAP_BELOW_MINIMUM' } });
    expect(parseTopUpPolicy('0', '')).toEqual({ ok: false, errors: { minimumCents: 'NOT_POSITIVE' } });
    expect(parseTopUpPolicy('10000.01', '')).toEqual({ ok: false, errors: { minimumCents: 'TOO_LARGE' } });
    expect(parseTopUpPolicy('10', '100000.01')).toEqual({ ok: false, errors: { monthlyCapCents: 'TOO_LARGE' } });
  });
});

describe('centsToInput', () => {
  it('shows cents as typed euros in the UI language', () => {
    expect(centsToInput('fr', 1050)).toBe('10,50');
    expect(centsToInput('en', 100000)).toBe('1000.00');
    expect(centsToInput('en', null)).toBe('');
  });
});
