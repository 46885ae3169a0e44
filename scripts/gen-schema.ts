// Writes schemas/waba-query.schema.json from the query model. Run: npm run schema
import { writeFileSync } from 'node:fs';
import { savedQueryJsonSchema } from '../src/core/querySchemaJson';

writeFileSync('schemas/waba-query.schema.json', JSON.stringify(savedQueryJsonSchema(), null, 2) + '\n');
console.log('wrote schemas/waba-query.schema.json');
