import { describe, expect, it } from 'vitest';
import { LANGS } from './i18n/translate';
import {
  failureReasonText,
  RENEWAL_STATES,
  renewalBadge,
  renewNowAmount,
  renewalSentence,
  stateName,
  type RenewalStatus,
} from './renewalStatus';

// Intl puts no-break spaces in "50,00 €" and "3 mars 2027"; compare with plain spaces.
const plain = (s: string | null | undefined) => s?.replace(/[\u00a0\u202f]/g, ' ') ?? null;

function status(overrides: Partial<RenewalStatus>): RenewalStatus {
  return {
    state: 'SCHEDULED',
    nextAttemptOn: null,
    amountCents: null,
    currency: 'EUR',
    attempt: null,
    maxAttempts: 5,
    lastFailure: null,
    renewedUntil: null,
    viewerCanRenewNow: false,
    ...overrides,
  };
}

const EXPIRES = '2027-03-05';
const declined = { reason: 'CARD_DECLINED' as const, at: '2027-03-02T06:00:00+00:00' };

describe('renewalSentence', () => {
  it('says a retry in one sentence: the failed attempt, why, and when the next one is', () => {
    const retrying = status({ state: 'RETRYING', attempt: 4, nextAttemptOn: '2027-03-03', amountCents: 1500, lastFailure: declined });
    expect(plain(renewalSentence('en', retrying, EXPIRES))).toBe(
      'Attempt 3 of 5 failed: card declined. Next try on Mar 3, 2027 (attempt 4 of 5).',
    );
    expect(plain(renewalSentence('fr', retrying, EXPIRES))).toBe(
      'Tentative 3 sur 5 échouée : carte refusée. Prochain essai le 3 mars 2027 (tentative 4 sur 5).',
    );
  });

  it('says a scheduled renewal with its date and amount', () => {
    const scheduled = status({ state: 'SCHEDULED', nextAttemptOn: '2027-03-01', amountCents: 5000 });
    expect(plain(renewalSentence('en', scheduled, EXPIRES))).toBe('Renewal scheduled on Mar 1, 2027 for €50.00.');
    expect(plain(renewalSentence('fr', scheduled, EXPIRES))).toBe('Renouvellement prévu le 1 mars 2027 pour 50,00 €.');
  });

  it('says what awaits funds', () => {
    const awaiting = status({ state: 'AWAITING_FUNDS', nextAttemptOn: '2027-03-01', amountCents: 1200 });
    expect(plain(renewalSentence('en', awaiting, EXPIRES))).toBe(
      'Awaiting funds: the payer’s balance will not cover the renewal on Mar 1, 2027 (€12.00).',
    );
    expect(plain(renewalSentence('fr', awaiting, EXPIRES))).toBe(
      'En attente de fonds : le solde du payeur ne couvrira pas le renouvellement du 1 mars 2027 (12,00 €).',
    );
  });

  it('says a failure for good, and that only a renewal by hand is left before the expiry date', () => {
    const failed = status({ state: 'FAILED', attempt: 5, lastFailure: { reason: 'INSUFFICIENT_FUNDS', at: declined.at } });
    expect(plain(renewalSentence('en', failed, EXPIRES))).toBe(
      'Attempt 5 of 5 failed: insufficient prepaid balance. No automatic try is left: it expires on Mar 5, 2027 unless renewed by hand.',
    );
    expect(plain(renewalSentence('fr', failed, EXPIRES))).toBe(
      'Tentative 5 sur 5 échouée : solde prépayé insuffisant. Plus aucun essai automatique : échéance le 5 mars 2027, sauf renouvellement manuel.',
    );
  });

  it('says an expiry within the grace period, with or without a known reason', () => {
    const expired = status({ state: 'EXPIRED', lastFailure: { reason: 'CARD_EXPIRED', at: declined.at } });
    expect(plain(renewalSentence('fr', expired, EXPIRES))).toBe(
      'Échéance du 5 mars 2027 dépassée sans renouvellement : carte expirée. Un renouvellement manuel reste possible pendant le délai de grâce.',
    );
    expect(plain(renewalSentence('en', status({ state: 'EXPIRED' }), EXPIRES))).toBe(
      'Expiry date Mar 5, 2027 passed without renewal. It can still be renewed by hand during the grace period.',
    );
  });

  it('says off and lapsed', () => {
    expect(renewalSentence('en', status({ state: 'OFF' }), EXPIRES)).toBe('Auto-renewal is off.');
    expect(renewalSentence('fr', status({ state: 'OFF' }), EXPIRES)).toBe('Le renouvellement automatique est désactivé.');
    expect(plain(renewalSentence('fr', status({ state: 'LAPSED' }), EXPIRES))).toBe(
      'Caduc : l’échéance du 5 mars 2027 et le délai de grâce sont dépassés ; le renouvellement n’est plus possible.',
    );
  });

  it('still makes a sentence when the API leaves fields out', () => {
    expect(renewalSentence('en', status({ state: 'RETRYING', lastFailure: declined }), EXPIRES)).toBe(
      'The last attempt failed: card declined.',
    );
    expect(renewalSentence('en', status({ state: 'FAILED' }), EXPIRES)).toMatch(/^The last attempt failed\. No automatic try/);
    expect(renewalSentence('fr', status({ state: 'SCHEDULED' }), EXPIRES)).toBe('Renouvellement prévu.');
  });

  it.each(LANGS)('has a sentence for every state, with no placeholder left, in %s', (lang) => {
    for (const state of RENEWAL_STATES) {
      const full = status({ state, attempt: 2, nextAttemptOn: '2027-03-02', amountCents: 100, lastFailure: declined });
      const sentence = renewalSentence(lang, full, EXPIRES);
      expect(sentence, state).not.toMatch(/[{}]|renewal\./);
      expect(sentence.length, state).toBeGreaterThan(10);
      expect(stateName(lang, state)).not.toMatch(/renewal\./);
    }
  });
});

describe('renewalBadge', () => {
  it('flags what needs attention, in words', () => {
    expect(renewalBadge('en', status({ state: 'RETRYING', attempt: 3 }))).toEqual({ text: 'Attempt 3/5', tone: 'warning' });
    expect(renewalBadge('fr', status({ state: 'RETRYING', attempt: 3 }))).toEqual({ text: 'Tentative 3/5', tone: 'warning' });
    expect(renewalBadge('en', status({ state: 'FAILED' }))).toEqual({ text: 'Failed', tone: 'danger' });
    expect(renewalBadge('fr', status({ state: 'FAILED' }))).toEqual({ text: 'Échoué', tone: 'danger' });
    expect(renewalBadge('en', status({ state: 'EXPIRED' }))?.text).toBe('Expired');
    expect(renewalBadge('en', status({ state: 'AWAITING_FUNDS' }))?.text).toBe('Awaiting funds');
    expect(renewalBadge('fr', status({ state: 'AWAITING_FUNDS' }))?.text).toBe('En attente de fonds');
  });

  it('adds nothing for a renewal that is off or on track', () => {
    expect(renewalBadge('en', status({ state: 'OFF' }))).toBeNull();
    expect(renewalBadge('en', status({ state: 'SCHEDULED' }))).toBeNull();
  });
});

describe('failureReasonText', () => {
  it('words the reasons and keeps an unknown code readable', () => {
    expect(failureReasonText('fr', 'CARD_DECLINED')).toBe('carte refusée');
    expect(failureReasonText('en', 'GATEWAY_UNAVAILABLE')).toBe('payment service unavailable');
    expect(failureReasonText('en', 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });
});

describe('renewNowAmount', () => {
  const quote = { monthlyCents: 500, yearlyCents: 5000 };

  it('is the amount of the next attempt when the status has one', () => {
    expect(renewNowAmount({ amountCents: 1200 }, quote, 'YEARLY')).toBe(1200);
  });

  it('is the price of the period otherwise (monthly without one), unknown without a quote', () => {
    expect(renewNowAmount({ amountCents: null }, quote, 'YEARLY')).toBe(5000);
    expect(renewNowAmount({ amountCents: null }, quote, 'MONTHLY')).toBe(500);
    expect(renewNowAmount({ amountCents: null }, quote, null)).toBe(500);
    expect(renewNowAmount({ amountCents: null }, null, 'YEARLY')).toBeNull();
    expect(renewNowAmount({ amountCents: null }, { monthlyCents: null, yearlyCents: null }, 'MONTHLY')).toBeNull();
  });
});
