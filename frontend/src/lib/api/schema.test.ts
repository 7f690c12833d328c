// Every document of the console must be valid against the API: against the contract written from the brief
// (contract.graphql), and against the backend's exported schema (../schema.graphql at the repo root) when it exists.
import { stringifyDocument } from '@urql/core';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ALL_DOCUMENTS } from './documents';

const here = import.meta.dirname;
const contractPath = resolve(here, 'contract.graphql');
const backendPath = resolve(here, '../../../../schema.graphql');

/** Documents the console tolerates the absence of (the call is skipped or its failure ignored). */
const OPTIONAL: Record<string, (schema: GraphQLSchema) => boolean> = {
  SET_LANGUAGE: (schema) => Boolean(schema.getMutationType()?.getFields().setLanguage),
};

function errorsFor(schema: GraphQLSchema, name: string, document: unknown): string[] {
  const optional = OPTIONAL[name];
  if (optional && !optional(schema)) return [];
  const ast = parse(stringifyDocument(document as Parameters<typeof stringifyDocument>[0]));
  return validate(schema, ast).map((e) => e.message);
}

const schemas: [string, string][] = [['contract.graphql', contractPath]];
if (existsSync(backendPath)) schemas.push(['../schema.graphql (backend)', backendPath]);

describe.each(schemas)('documents against %s', (_label, path) => {
  const schema = buildSchema(readFileSync(path, 'utf8'));

  it.each(Object.entries(ALL_DOCUMENTS))('%s is valid', (name, document) => {
    expect(errorsFor(schema, name, document)).toEqual([]);
  });
});

it.skipIf(existsSync(backendPath))('backend schema.graphql not found yet: only the contract was checked', () => {
  expect(existsSync(contractPath)).toBe(true);
});
