/** The JSON schema of `*.waba-query.json` files, generated from the query model (see schemas/). */
import { z } from 'zod';
import { QuerySchema } from './query';

export function savedQueryJsonSchema(): Record<string, unknown> {
  const file = z.object({
    title: z.string().optional().describe('A name for this report.'),
    query: QuerySchema.describe('The query, as the CLI and the extension take it. Dates are UTC days, both inclusive.'),
  });
  const schema = z.toJSONSchema(file, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  return { ...schema, title: 'WABA Analytics saved query', description: 'A query run by the WABA Analytics extension (CodeLens "Run query") or `waba-analytics query --query-file`.' };
}
