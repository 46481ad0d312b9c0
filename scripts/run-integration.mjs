// `npm run test:integration [-- FILE...]`: the integration layer (real daemons and workloads), or
// the files named. See scripts/mocha-args.mjs.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mochaArgs } from './mocha-args.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(path.join(root, 'node_modules', '.bin', 'mocha'), mochaArgs(root, 'test/integration/.mocharc.json', process.argv.slice(2)), { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
