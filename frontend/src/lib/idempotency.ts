// One idempotency key per top-up *submission*: the server charges the card once per key, so everything that may be
// the same submission again (a double click, a retry after a lost answer) must send the same key, and everything
// that is a new intent (another amount or organization, or a new attempt after a definite answer) a new one.

export type KeyGenerator = () => string;

/** What a submission ended with, as far as the key is concerned. */
export type SubmissionOutcome =
  | { ok: true }
  | { ok: false; transport: boolean; codes: readonly string[] };

/**
 * Codes after which the charge may or may not have happened: the next try must reuse the key, which makes it
 * safe (the gateway answers the first result again instead of charging twice).
 */
export const UNCERTAIN_CODES: readonly string[] = ['GATEWAY_UNAVAILABLE'];

/**
 * Whether the server's answer settles the submission. Success, a decline, a refused amount… are definite: the next
 * submission is a new one (a declined key would be declined forever). A lost request (transport failure) or
 * GATEWAY_UNAVAILABLE is not: the key is kept for the retry.
 */
export function settlesSubmission(outcome: SubmissionOutcome): boolean {
  if (outcome.ok) return true;
  if (outcome.transport) return false;
  return !outcome.codes.some((code) => UNCERTAIN_CODES.includes(code));
}

function randomKey(): string {
  return crypto.randomUUID();
}

export class IdempotencyKeys {
  #pending: { key: string; fingerprint: string } | null = null;
  readonly #generate: KeyGenerator;

  constructor(generate: KeyGenerator = randomKey) {
    this.#generate = generate;
  }

  /**
   * The key to send for this submission (`fingerprint`: what is being charged, e.g. organization and cents): the
   * unsettled one when it is the same submission again, otherwise a freshly generated one.
   */
  keyFor(fingerprint: string): string {
    if (this.#pending?.fingerprint !== fingerprint) {
      this.#pending = { key: this.#generate(), fingerprint };
    }
    return this.#pending.key;
  }

  /** Records the answer: a settled submission forgets its key. */
  record(outcome: SubmissionOutcome): void {
    if (settlesSubmission(outcome)) this.#pending = null;
  }

  /** The key a retry would reuse, if any. */
  get pendingKey(): string | null {
    return this.#pending?.key ?? null;
  }
}
