// Writes schemas/balena-compose.schema.json from the mapping table: `node --import tsx scripts/genComposeSchema.ts`.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildComposeSchema } from '../src/core/compose/buildComposeSchema';

const out = resolve(__dirname, '../schemas/balena-compose.schema.json');
writeFileSync(out, JSON.stringify(buildComposeSchema(), null, 2) + '\n');
console.log(`wrote ${out}`);
