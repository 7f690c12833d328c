import { describe, expect, it } from 'vitest';
import type {
  AutoRenewFieldsFragment as AutoRenew,
  AutoRenewWarningFieldsFragment as AutoRenewWarning,
} from './api/generated/graphql';
import {
  buildInput,
  commonValues,
  domainPayer,
  initialValues,
  mapUserErrors,
  offerDomainAutoRenew,
  payerOptions,
  validate,
  visibleWarnings,
} from './autoRenewForm';

const acme = { id: 'org-acme', name: 'Acme SARL' };
const globex = { id: 'org-globex', name: 'Globex' };
const off: AutoRenew = { enabled: false, period: null, payer: null };
const yearlyAcme: AutoRenew = { enabled: true, period: 'YEARLY', payer: acme };

describe('initialValues', () => {
  it('starts from the saved settings', () => {
    expect(initialValues(yearlyAcme, [acme, globex])).toEqual({
      enabled: true,
      period: 'YEARLY',
      payerOrganizationId: 'org-acme',
    });
  });

  it('proposes the domain owner as payer when the user may charge it', () => {
    expect(initialValues(off, [globex, acme], 'org-acme').payerOrganizationId).toBe('org-acme');
  });

  it('proposes the only payable organization, and nothing when there is a choice', () => {
    expect(initialValues(off, [globex], 'org-acme').payerOrganizationId).toBe('org-globex');
    expect(initialValues(off, [globex, acme], 'org-other').payerOrganizationId).toBeNull();
    expect(initialValues(null, []).payerOrganizationId).toBeNull();
  });
});

describe('commonValues (bulk)', () => {
  it('turns auto-renewal on and keeps what all selected mailboxes share', () => {
    const values = commonValues([{ autoRenew: yearlyAcme }, { autoRenew: { ...yearlyAcme } }], [acme, globex]);
    expect(values).toEqual({ enabled: true, period: 'YEARLY', payerOrganizationId: 'org-acme' });
  });

  it('leaves a choice open when the mailboxes differ', () => {
    const values = commonValues(
      [{ autoRenew: yearlyAcme }, { autoRenew: { enabled: true, period: 'MONTHLY', payer: globex } }],
      [acme, globex],
    );
    expect(values).toEqual({ enabled: true, period: null, payerOrganizationId: null });
  });

  it('falls back to the defaults with nothing selected on this page (all via the header)', () => {
    expect(commonValues([], [acme, globex], 'org-acme')).toEqual({
      enabled: true,
      period: null,
      payerOrganizationId: 'org-acme',
    });
  });
});

describe('validate', () => {
  it('requires a period and a payer when turning on', () => {
    expect(validate({ enabled: true, period: null, payerOrganizationId: null })).toEqual({
      period: 'PERIOD_REQUIRED',
      payerOrganizationId: 'PAYER_REQUIRED',
    });
    expect(validate({ enabled: true, period: 'MONTHLY', payerOrganizationId: 'org-acme' })).toEqual({});
  });

  it('requires nothing when turning off', () => {
    expect(validate({ enabled: false, period: null, payerOrganizationId: null })).toEqual({});
  });
});

describe('buildInput', () => {
  it('sends period and payer when on', () => {
    expect(buildInput({ enabled: true, period: 'MONTHLY', payerOrganizationId: 'org-globex' })).toEqual({
      enabled: true,
      period: 'MONTHLY',
      payerOrganizationId: 'org-globex',
    });
  });

  it('sends enabled: false alone when off', () => {
    expect(buildInput({ enabled: false, period: 'YEARLY', payerOrganizationId: 'org-acme' })).toEqual({ enabled: false });
  });
});

describe('mapUserErrors', () => {
  it('puts each error on the field named by the last element of its path, the rest on the form', () => {
    const errors = mapUserErrors([
      { field: ['input', 'period'], code: 'PERIOD_REQUIRED', message: 'Choose a period.' },
      { field: ['input', 'payerOrganizationId'], code: 'PAYER_NOT_ALLOWED', message: 'Not your payer.' },
      { field: null, code: 'NOT_ALLOWED', message: 'Not allowed.' },
      { field: ['mailboxIds', '2'], code: 'MAILBOX_NOT_IN_DOMAIN', message: 'Wrong domain.' },
    ]);
    expect(errors).toEqual({
      fieldErrors: { period: 'Choose a period.', payerOrganizationId: 'Not your payer.' },
      formErrors: ['Not allowed.', 'Wrong domain.'],
    });
  });

  it('uses the fallback when the server sends no message, and keeps the first message per field', () => {
    const errors = mapUserErrors(
      [
        { field: ['input', 'period'], code: 'PERIOD_REQUIRED', message: '' },
        { field: ['input', 'period'], code: 'INVALID', message: 'second' },
      ],
      (code) => `text for ${code}`,
    );
    expect(errors.fieldErrors).toEqual({ period: 'text for PERIOD_REQUIRED' });
  });
});

describe('payerOptions', () => {
  it('lists payable organizations and keeps a current payer the user may not charge, disabled', () => {
    expect(payerOptions([acme], globex)).toEqual([
      { id: 'org-acme', name: 'Acme SARL', allowed: true },
      { id: 'org-globex', name: 'Globex', allowed: false },
    ]);
    expect(payerOptions([acme], acme)).toHaveLength(1);
  });
});

describe('warnings', () => {
  const short: AutoRenewWarning = { code: 'BALANCE_SHORT', message: 'short', amountCents: 1250 };
  const domainOff = { enabled: false, payer: null };

  it('adds DOMAIN_AUTO_RENEW_OFF as soon as the switch is on while the domain renewal is off', () => {
    expect(visibleWarnings({ enabled: true }, [short], domainOff).map((w) => w.code)).toEqual([
      'DOMAIN_AUTO_RENEW_OFF',
      'BALANCE_SHORT',
    ]);
  });

  it('shows nothing while the switch is off, and drops a stale domain warning once the domain renews', () => {
    expect(visibleWarnings({ enabled: false }, [short], domainOff)).toEqual([]);
    const stale: AutoRenewWarning = { code: 'DOMAIN_AUTO_RENEW_OFF', message: '', amountCents: null };
    expect(visibleWarnings({ enabled: true }, [stale], { enabled: true, payer: acme })).toEqual([]);
  });

  it('offers to turn on the domain renewal only to someone who may manage the domain', () => {
    const warnings: AutoRenewWarning[] = [{ code: 'DOMAIN_EXPIRES_FIRST', message: '', amountCents: null }];
    expect(offerDomainAutoRenew(warnings, { viewerCanManage: true, autoRenew: domainOff }, 'org-acme')).toBe(true);
    expect(offerDomainAutoRenew(warnings, { viewerCanManage: false, autoRenew: domainOff }, 'org-acme')).toBe(false);
    expect(
      offerDomainAutoRenew(warnings, { viewerCanManage: true, autoRenew: { enabled: true, payer: acme } }, 'org-acme'),
    ).toBe(false);
    expect(offerDomainAutoRenew([short], { viewerCanManage: true, autoRenew: domainOff }, 'org-acme')).toBe(false);
  });

  it('does not offer it without a payer to send (the server would refuse PAYER_REQUIRED)', () => {
    const warnings = [{ code: 'DOMAIN_AUTO_RENEW_OFF' as const, message: '', amountCents: null }];
    expect(offerDomainAutoRenew(warnings, { viewerCanManage: true, autoRenew: domainOff }, null)).toBe(false);
    expect(offerDomainAutoRenew(warnings, { viewerCanManage: true, autoRenew: domainOff })).toBe(false);
    // A domain that kept its payer while its renewal was turned off can be turned on again with it.
    expect(offerDomainAutoRenew(warnings, { viewerCanManage: true, autoRenew: { enabled: false, payer: acme } }, null)).toBe(
      true,
    );
  });

  it("pays the domain renewal with the domain's payer, else the form's", () => {
    const values = { enabled: true, period: 'YEARLY' as const, payerOrganizationId: 'org-globex' };
    expect(domainPayer({ autoRenew: { enabled: false, payer: acme } }, values)).toBe('org-acme');
    expect(domainPayer({ autoRenew: domainOff }, values)).toBe('org-globex');
  });
});
