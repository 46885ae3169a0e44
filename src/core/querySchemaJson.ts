/** The JSON schema of `*.waba-query.json` files, generated from the query model (see schemas/). */
import * as z from 'zod';
import { SavedQueryFileSchema } from './query';

export function savedQueryJsonSchema(): Record<string, unknown> {
  // Strict objects: the schema says additionalProperties: false, as the CLI and the extension refuse an unknown key.
  const schema = z.toJSONSchema(SavedQueryFileSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  return { ...schema, title: 'WABA Analytics saved query', description: 'A query run by the WABA Analytics extension (CodeLens "Run query") or `waba-analytics query --query-file`.' };
}
