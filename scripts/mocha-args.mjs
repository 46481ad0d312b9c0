// The arguments for mocha with a layer's configuration, honouring files named on the command line:
// `npm run test:integration -- test/integration/ingress.test.ts` runs that file alone (mocha itself
// would add the configuration's whole spec to the files named).
import * as fs from 'node:fs';
import * as path from 'node:path';

export function mochaArgs(root, configFile, args) {
  const files = args.filter((a) => /\.ts$/.test(a) && fs.existsSync(path.resolve(root, a)));
  if (files.length === 0) return ['--config', configFile, ...args];
  const config = JSON.parse(fs.readFileSync(path.join(root, configFile), 'utf8'));
  const list = (key, flag) => (config[key] ?? []).flatMap((v) => [flag, v]);
  return [
    '--no-config',
    ...list('node-option', '--node-option'),
    ...list('require', '--require'),
    ...list('extension', '--extension'),
    '--timeout', String(config.timeout ?? 2000),
    '--slow', String(config.slow ?? 75),
    ...(config.forbidOnly ? ['--forbid-only'] : []),
    ...(config.exit ? ['--exit'] : []),
    ...args,
  ];
}
