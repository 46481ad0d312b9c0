// `env-file`: dotenv files read when a manifest is submitted (in the manifest's folder, where the
// Conductor runs its builds). Their variables join the app's secrets — never shown, logged or sent
// in events — unless an `env` or `secret` entry of the same name is written (it wins). A change of a
// file is a change of the app: the next `up`, `rollout` or watched change rolls it out.
import * as fs from 'node:fs';
import { parse } from 'dotenv';
import { isEnvName } from '../shared/manifest/entry-reader';
import type { ParsedApp } from '../shared/manifest/model';

/** The largest env file read (they hold variables, not data). */
const MAX_BYTES = 256 * 1024;

export interface EnvFileResult {
  app: ParsedApp;
  /** What could not be read, each naming the file and the manifest. */
  problems: string[];
  /** Names skipped (not valid variable names). */
  warnings: string[];
}

export function withEnvFiles(app: ParsedApp, manifestPath: string): EnvFileResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (app.spec.envFiles.length === 0) return { app, problems, warnings };
  const secrets = { ...app.secrets };
  const secretKeys = [...app.spec.secretKeys];
  for (const file of app.spec.envFiles) {
    let text: string;
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile()) throw new Error('not a file');
      if (stat.size > MAX_BYTES) throw new Error(`${stat.size} bytes, more than an env file may hold (${MAX_BYTES})`);
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      problems.push(`app ${app.spec.name} (${manifestPath}): env-file ${file} cannot be read (${why})`);
      continue;
    }
    for (const [name, value] of Object.entries(parse(text))) {
      if (!isEnvName(name)) {
        warnings.push(`${file}: "${name}" is not a valid variable name; skipped`);
        continue;
      }
      // An entry the manifest writes itself wins, and the first file naming a variable wins over later ones.
      if (Object.hasOwn(app.spec.env, name) || Object.hasOwn(secrets, name)) continue;
      secrets[name] = value;
      secretKeys.push(name);
    }
  }
  return { app: { ...app, secrets, spec: { ...app.spec, secretKeys } }, problems, warnings };
}
