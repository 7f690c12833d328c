// An item's renewal status (RenewalStatus of the API) in words: the one-sentence summary of the mailbox and domain
// pages, the short badge of the mailbox list, the failure reasons. Pure functions of the language, so every state
// is unit-tested in both languages (renewalStatus.test.ts); the components pass the UI language.
import type {
  RenewalFailureReason,
  RenewalPeriod,
  RenewalState,
  RenewalStatusFieldsFragment as RenewalStatus,
} from './api/generated/graphql';
import { formatIsoDate } from './dates';
import { translate, type Lang, type Params } from './i18n/translate';
import { formatCents } from './money';

export type { RenewalStatus };

/** Every RenewalState of the schema, in the order a renewal goes through them. */
export const RENEWAL_STATES: readonly RenewalState[] = [
  'OFF',
  'SCHEDULED',
  'AWAITING_FUNDS',
  'RETRYING',
  'FAILED',
  'EXPIRED',
  'LAPSED',
];

/** States in which a renewal by hand makes sense (the API says whether the viewer may: viewerCanRenewNow). */
export const RENEWABLE_BY_HAND: readonly RenewalState[] = ['AWAITING_FUNDS', 'RETRYING', 'FAILED', 'EXPIRED'];

/**
 * What "Renew now" will charge: the status's amount when it has one (the next attempt's); otherwise (FAILED,
 * EXPIRED: the API gives none) a mailbox's catalogue price for its period, monthly when it has none, as the
 * server's renewNow takes it; null when unknown (a domain), and the confirmation then names no amount.
 */
export function renewNowAmount(
  status: Pick<RenewalStatus, 'amountCents'>,
  quote: { monthlyCents: number | null; yearlyCents: number | null } | null | undefined,
  period: RenewalPeriod | null | undefined,
): number | null {
  if (status.amountCents !== null) return status.amountCents;
  if (!quote) return null;
  return (period === 'YEARLY' ? quote.yearlyCents : quote.monthlyCents) ?? null;
}

/** States that call for the user's attention (the badge is drawn as a warning or an error). */
export type BadgeTone = 'warning' | 'danger' | 'muted';

const TONE: Partial<Record<RenewalState, BadgeTone>> = {
  AWAITING_FUNDS: 'warning',
  RETRYING: 'warning',
  FAILED: 'danger',
  EXPIRED: 'danger',
  LAPSED: 'muted',
};

/** The state's name ("Retrying", "Nouvel essai"). */
export function stateName(lang: Lang, state: RenewalState): string {
  return translate(lang, `renewal.state.${state}`);
}

/** Why an attempt failed, in words ("card declined", "carte refusée"); an unknown code is shown as it is. */
export function failureReasonText(lang: Lang, reason: RenewalFailureReason | string): string {
  const key = `renewal.reason.${reason}`;
  const text = translate(lang, key);
  return text === key ? reason : text;
}

/**
 * The mailbox list's short badge: "Attempt 3/5" (RETRYING: the attempt to come), "Failed", "Expired", "Awaiting
 * funds", "Lapsed"; null when there is nothing to flag (OFF, SCHEDULED: the green A already says it renews).
 */
export function renewalBadge(lang: Lang, status: Pick<RenewalStatus, 'state' | 'attempt' | 'maxAttempts'>):
  | { text: string; tone: BadgeTone }
  | null {
  const tone = TONE[status.state];
  if (!tone) return null;
  if (status.state === 'RETRYING' && status.attempt) {
    return { text: translate(lang, 'renewal.badge.RETRYING', { attempt: status.attempt, max: status.maxAttempts }), tone };
  }
  return { text: stateName(lang, status.state), tone };
}

/**
 * The status in one sentence, e.g. "Attempt 2 of 5 failed: card declined. Next try on Mar 3, 2027 (attempt 3 of
 * 5)." / "Tentative 2 sur 5 échouée : carte refusée. Prochain essai le 3 mars 2027 (tentative 3 sur 5)."
 * `expiresAt` is the item's expiry date (FAILED, EXPIRED and LAPSED speak of it).
 *
 * RETRYING's `attempt` is the number of the attempt to come (one a day in the window); the one that failed is the
 * one before it.
 */
export function renewalSentence(lang: Lang, status: RenewalStatus, expiresAt: string): string {
  const tr = (key: string, params?: Params) => translate(lang, key, params);
  const date = (iso: string) => formatIsoDate(lang, iso);
  const max = status.maxAttempts;
  const reason = status.lastFailure ? failureReasonText(lang, status.lastFailure.reason) : null;
  const amount = status.amountCents !== null ? formatCents(lang, status.amountCents, status.currency) : null;

  /** "Attempt 2 of 5 failed: card declined." with what is known of the failed attempt. */
  const failed = (attempt: number | null) => {
    if (attempt && attempt > 0) {
      return reason ? tr('renewal.failed.attempt', { attempt, max, reason }) : tr('renewal.failed.attemptNoReason', { attempt, max });
    }
    return reason ? tr('renewal.failed.last', { reason }) : tr('renewal.failed.lastNoReason');
  };

  switch (status.state) {
    case 'OFF':
      return tr('renewal.sentence.OFF');
    case 'SCHEDULED':
      if (!status.nextAttemptOn) return tr('renewal.sentence.SCHEDULED.noDate');
      return amount
        ? tr('renewal.sentence.SCHEDULED', { date: date(status.nextAttemptOn), amount })
        : tr('renewal.sentence.SCHEDULED.noAmount', { date: date(status.nextAttemptOn) });
    case 'AWAITING_FUNDS':
      if (!status.nextAttemptOn) return tr('renewal.sentence.AWAITING_FUNDS.noDate');
      return amount
        ? tr('renewal.sentence.AWAITING_FUNDS', { date: date(status.nextAttemptOn), amount })
        : tr('renewal.sentence.AWAITING_FUNDS.noAmount', { date: date(status.nextAttemptOn) });
    case 'RETRYING': {
      const next = status.attempt;
      const first = failed(next ? next - 1 : null);
      if (!status.nextAttemptOn) return first;
      const then = next
        ? tr('renewal.next.attempt', { date: date(status.nextAttemptOn), attempt: next, max })
        : tr('renewal.next', { date: date(status.nextAttemptOn) });
      return `${first} ${then}`;
    }
    case 'FAILED':
      return `${failed(status.attempt)} ${tr('renewal.sentence.FAILED', { date: date(expiresAt) })}`;
    case 'EXPIRED':
      return reason
        ? tr('renewal.sentence.EXPIRED', { date: date(expiresAt), reason })
        : tr('renewal.sentence.EXPIRED.noReason', { date: date(expiresAt) });
    case 'LAPSED':
      return tr('renewal.sentence.LAPSED', { date: date(expiresAt) });
    default:
      return stateName(lang, status.state);
  }
}
