// Loaded before the integration specs (.mocharc.json `require`): the code of src/ that a test runs
// in its own process (a client, the presence check, shared/daemon-launch.ts) gets the version the
// bundles in dist/ were built with (package.json, as scripts/bundles.mjs defines it), so that it
// takes the daemons it started or found for its own version, as the built extension and CLI do.
import * as fs from 'node:fs';
import * as path from 'node:path';

(globalThis as { SKR8TR_VERSION?: string }).SKR8TR_VERSION = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
