import { describe, expect, it } from 'vitest';
import { IdempotencyKeys, settlesSubmission } from './idempotency';

function counter() {
  let n = 0;
  return () => `key-${++n}`;
}

describe('IdempotencyKeys', () => {
  it('gives a double click the same key', () => {
    const keys = new IdempotencyKeys(counter());
    expect(keys.keyFor('acme:1000')).toBe('key-1');
    expect(keys.keyFor('acme:1000')).toBe('key-1');
  });

  it('keeps the key for a retry after a lost answer or an unavailable gateway', () => {
    const keys = new IdempotencyKeys(counter());
    const first = keys.keyFor('acme:1000');
    keys.record({ ok: false, transport: true, codes: [] });
    expect(keys.keyFor('acme:1000')).toBe(first);
    keys.record({ ok: false, transport: false, codes: ['GATEWAY_UNAVAILABLE'] });
    expect(keys.keyFor('acme:1000')).toBe(first);
    expect(keys.pendingKey).toBe(first);
  });

  it('starts a new submission after a success', () => {
    const keys = new IdempotencyKeys(counter());
    keys.keyFor('acme:1000');
    keys.record({ ok: true });
    expect(keys.pendingKey).toBeNull();
    expect(keys.keyFor('acme:1000')).toBe('key-2');
  });

  it('starts a new submission after a definite refusal (a declined key stays declined)', () => {
    const keys = new IdempotencyKeys(counter());
    keys.keyFor('globex:500');
    keys.record({ ok: false, transport: false, codes: ['CARD_DECLINED'] });
    expect(keys.keyFor('globex:500')).toBe('key-2');
  });

  it('never reuses a key for another amount or organization', () => {
    const keys = new IdempotencyKeys(counter());
    keys.keyFor('acme:1000');
    keys.record({ ok: false, transport: true, codes: [] });
    expect(keys.keyFor('acme:2000')).toBe('key-2');
    expect(keys.keyFor('globex:2000')).toBe('key-3');
  });

  it('generates keys with crypto.randomUUID by default', () => {
    const keys = new IdempotencyKeys();
    const key = keys.keyFor('acme:1000');
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new IdempotencyKeys().keyFor('acme:1000')).not.toBe(key);
  });
});

describe('settlesSubmission', () => {
  it('settles on success and on refusals, not on uncertain failures', () => {
    expect(settlesSubmission({ ok: true })).toBe(true);
    expect(settlesSubmission({ ok: false, transport: false, codes: ['INVALID_AMOUNT'] })).toBe(true);
    expect(settlesSubmission({ ok: false, transport: false, codes: ['NO_CARD'] })).toBe(true);
    expect(settlesSubmission({ ok: false, transport: true, codes: [] })).toBe(false);
    expect(settlesSubmission({ ok: false, transport: false, codes: ['GATEWAY_UNAVAILABLE'] })).toBe(false);
  });
});
