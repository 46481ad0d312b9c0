// Writes schema/skr8tr.schema.json from the manifest key table (`npm run schema`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { manifestSchema } from '../src/shared/manifest/schema';

const out = path.resolve(__dirname, '../schema/skr8tr.schema.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(manifestSchema(), null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), out)}`);
