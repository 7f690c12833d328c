// Every code the API can answer has a text in both languages: the codes are read from the exported schema
// (../schema.graphql), so a code added on the backend fails this test until the console can say it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { fr } from './fr';

const schema = buildSchema(readFileSync(resolve(import.meta.dirname, '../../../../schema.graphql'), 'utf8'));

function enumValues(name: string): string[] {
  const type = schema.getType(name);
  if (!(type instanceof GraphQLEnumType)) throw new Error(`${name} is not an enum of schema.graphql`);
  return type.getValues().map((v) => v.name);
}

// enum of the schema → the i18n prefix of its texts (renewal status and attempt history, outbox message kinds).
const SHOWN: [string, string][] = [
  ['UserErrorCode', 'userError.'],
  ['AutoRenewWarningCode', 'warnings.'],
  ['RenewalState', 'renewal.state.'],
  ['RenewalFailureReason', 'renewal.reason.'],
  ['AttemptOutcome', 'renewal.outcome.'],
  ['MessageKind', 'notifications.kind.'],
];

const dictionaries: [string, Partial<Record<string, string>>][] = [
  ['en', en],
  ['fr', fr],
];

describe.each(SHOWN)('every %s value has a console text', (enumName, prefix) => {
  const values = enumValues(enumName);

  it('the schema lists values', () => {
    expect(values.length).toBeGreaterThan(0);
  });

  it.each(dictionaries)('in %s', (_lang, dictionary) => {
    const missing = values.map((v) => `${prefix}${v}`).filter((key) => !dictionary[key]?.trim());
    expect(missing).toEqual([]);
  });
});
