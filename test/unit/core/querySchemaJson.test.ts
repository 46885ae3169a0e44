import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { savedQueryJsonSchema } from '../../../src/core/querySchemaJson';

describe('saved query JSON schema', () => {
  it('is the one generated from the query model (run npm run schema after changing it)', () => {
    const committed = JSON.parse(readFileSync('schemas/waba-query.schema.json', 'utf8'));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(savedQueryJsonSchema())));
  });
  it('refuses unknown keys (additionalProperties: false) around the query and in each kind, as the CLI and the extension do', () => {
    const schema = savedQueryJsonSchema() as { additionalProperties?: unknown; properties: { query: { oneOf: Array<{ additionalProperties?: unknown; properties: { kind: { const: string } } }> } } };
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.properties.query.oneOf.map((o) => [o.properties.kind.const, o.additionalProperties]), [
      ['messaging', false],
      ['conversation', false],
      ['pricing', false],
      ['template', false],
      ['calls', false],
      ['template-groups', false],
      ['groups', false],
    ]);
  });
  it('describes each kind with its filters', () => {
    const text = JSON.stringify(savedQueryJsonSchema());
    for (const word of ['"messaging"', '"conversation"', '"pricing"', '"template"', 'templateIds', 'pricingCategories', 'conversationDirections', 'tiers', '"TIER"', 'useWabaTimezone']) {
      assert.ok(text.includes(word), word);
    }
  });
});
