import { describe, expect, it } from 'vitest';
import { formatCents, MAX_TOP_UP_CENTS, parseEurosToCents } from './money';

const cents = (input: string) => parseEurosToCents(input);

describe('parseEurosToCents', () => {
  it('reads whole euros and up to two decimals, with a comma or a point', () => {
    expect(cents('10')).toEqual({ ok: true, cents: 1000 });
    expect(cents('10,5')).toEqual({ ok: true, cents: 1050 });
    expect(cents('10.50')).toEqual({ ok: true, cents: 1050 });
    expect(cents('0,01')).toEqual({ ok: true, cents: 1 });
    expect(cents('007')).toEqual({ ok: true, cents: 700 });
  });

  it('never goes through floating point', () => {
    expect(cents('0.29')).toEqual({ ok: true, cents: 29 }); // 0.29 * 100 = 28.999999999999996
    expect(cents('4.35')).toEqual({ ok: true, cents: 435 });
    expect(cents('9999.99')).toEqual({ ok: true, cents: 999_999 });
  });

  it('accepts spaces grouping thousands and a euro sign', () => {
    expect(cents(' 1 000,00 ')).toEqual({ ok: true, cents: 100_000 });
    expect(cents('1\u202f000,00\u00a0€')).toEqual({ ok: true, cents: 100_000 });
    expect(cents('€25')).toEqual({ ok: true, cents: 2500 });
  });

  it('refuses negatives', () => {
    expect(cents('-5')).toEqual({ ok: false, error: 'NEGATIVE' });
    expect(cents('\u22125,00')).toEqual({ ok: false, error: 'NEGATIVE' });
    expect(cents(' -0,01 €')).toEqual({ ok: false, error: 'NEGATIVE' });
  });

  it('refuses more than two decimals', () => {
    expect(cents('10.505')).toEqual({ ok: false, error: 'TOO_MANY_DECIMALS' });
    expect(cents('0,001')).toEqual({ ok: false, error: 'TOO_MANY_DECIMALS' });
  });

  it('refuses garbage', () => {
    for (const input of ['abc', '1e3', '+5', '5,', ',5', '1,000.50', '1.2.3', '10 euros', '0x10', 'NaN', 'Infinity', '5-']) {
      expect(cents(input), input).toEqual({ ok: false, error: 'INVALID' });
    }
  });

  it('asks for an amount when empty, and a positive one', () => {
    expect(cents('')).toEqual({ ok: false, error: 'REQUIRED' });
    expect(cents('   ')).toEqual({ ok: false, error: 'REQUIRED' });
    expect(cents('0')).toEqual({ ok: false, error: 'NOT_POSITIVE' });
    expect(cents('0,00')).toEqual({ ok: false, error: 'NOT_POSITIVE' });
  });

  it('refuses more than the server accepts for one top-up', () => {
    expect(cents('10000')).toEqual({ ok: true, cents: MAX_TOP_UP_CENTS });
    expect(cents('10000,01')).toEqual({ ok: false, error: 'TOO_LARGE' });
    expect(cents('99999999999999999999')).toEqual({ ok: false, error: 'TOO_LARGE' });
    expect(parseEurosToCents('20', 1000)).toEqual({ ok: false, error: 'TOO_LARGE' });
  });
});

describe('formatCents', () => {
  const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

  it('formats per language', () => {
    expect(plain(formatCents('fr', 5000))).toBe('50,00 €');
    expect(plain(formatCents('fr', 123_456))).toBe('1 234,56 €');
    expect(formatCents('en', 5000)).toBe('€50.00');
  });

  it('signs credits and debits when asked', () => {
    expect(plain(formatCents('fr', 1000, 'EUR', { signed: true }))).toBe('+10,00 €');
    expect(plain(formatCents('fr', -1500, 'EUR', { signed: true }))).toBe('-15,00 €');
    expect(formatCents('en', 1000, 'EUR', { signed: true })).toBe('+€10.00');
    expect(formatCents('en', 0, 'EUR', { signed: true })).toBe('€0.00');
  });
});
