import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { savedQueryJsonSchema } from '../../src/core/querySchemaJson';

describe('saved query JSON schema', () => {
  it('is the one generated from the query model (run npm run schema after changing it)', () => {
    const committed = JSON.parse(readFileSync('schemas/waba-query.schema.json', 'utf8'));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(savedQueryJsonSchema())));
  });
  it('describes each kind with its filters', () => {
    const text = JSON.stringify(savedQueryJsonSchema());
    for (const word of ['"messaging"', '"conversation"', '"pricing"', '"template"', 'templateIds', 'pricingCategories', 'conversationDirections', 'tiers', '"TIER"', 'useWabaTimezone']) {
      assert.ok(text.includes(word), word);
    }
  });
});
