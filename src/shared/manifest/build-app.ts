// Giving entries their meaning: entries (from either syntax) in, apps and diagnostics out.
// This file owns the apps of a manifest (buildApps, with every check across apps) and the keys of
// one app (the switch in buildApp). Entries are read through entry-reader.ts; the blocks an app key
// opens are read in health-block.ts and blocks.ts; the rules between the keys of one app are in
// cross-checks.ts. Keys are checked against keys.ts.
import { readBuild, readMap, readRollout, readScale, readServe, readVm, readVolume, readWatch } from './blocks';
import { crossCheck, type Written } from './cross-checks';
import type { Entry } from './entries';
import { EntryReader, reportMisplaced, type BuildContext } from './entry-reader';
import { readHealth } from './health-block';
import { checkNeeds, readNeeds } from './needs';
import { DEFAULTS, LIMITS, type AppSpec, type AppType, type ParsedApp, type Pos } from './model';
import { parseBoolean, parseBytes, parseDecimal, parseDuration, parseInteger, parseOnOff, positiveDuration } from './values';

export type { BuildContext } from './entry-reader';

const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The apps of a manifest, in order, and the checks across them: the app limit and unique names,
 * made as each app is built. A check that needs every app built goes after the loop.
 */
export function buildApps(entries: readonly Entry[], ctx: BuildContext): ParsedApp[] {
  const apps: ParsedApp[] = [];
  const names = new Map<string, Pos>();
  let count = 0;
  for (const entry of entries) {
    if (entry.key !== 'app') {
      reportMisplaced(entry, 'top', ctx.sink);
      continue;
    }
    count++;
    if (count === LIMITS.apps + 1) {
      ctx.sink.error(entry.keyPos, `too many apps: a manifest may hold at most ${LIMITS.apps}`);
    }
    if (count > LIMITS.apps) continue;
    const app = buildApp(entry, ctx);
    if (app === null) continue;
    const first = names.get(app.spec.name);
    if (first) {
      ctx.sink.error(app.pos, `app \`${app.spec.name}\` is already defined at line ${first.line}; app names are unique within a file`);
      continue;
    }
    names.set(app.spec.name, app.pos);
    apps.push(app);
  }
  checkNeeds(apps, ctx.sink);
  return apps;
}

/**
 * One `app` entry: its name, then a case a key. A new app key is declared in keys.ts, gets its
 * field and default in model.ts and the spec below, and a case here (a block it opens is read in
 * blocks.ts); a rule between it and the app's other keys goes in cross-checks.ts.
 */
function buildApp(entry: Entry, ctx: BuildContext): ParsedApp | null {
  const { sink } = ctx;
  const nameToken = entry.args[0];
  if (!nameToken) {
    sink.error(entry.keyPos, '`app` needs a name, like `app web`');
    return null;
  }
  const name = nameToken.text;
  if (entry.args.length > 1) {
    sink.error(entry.args[1]!.pos, `an app name is one word; found "${entry.rest}"`);
  }
  if (!NAME.test(name) || name.length > LIMITS.nameLength) {
    sink.error(nameToken.pos, `app name "${name}" is not valid: use letters, digits, \`-\`, \`_\` and \`.\`, at most ${LIMITS.nameLength} characters`);
  }

  const r = new EntryReader(ctx, name);
  const secrets: Record<string, string> = {};
  const spec: AppSpec = {
    name,
    type: DEFAULTS.type,
    exec: null,
    args: [],
    cwd: ctx.dir,
    port: null,
    ingress: false,
    replicas: DEFAULTS.replicas,
    ramBytes: null,
    cpu: null,
    gpu: false,
    restart: DEFAULTS.restart,
    drainMs: DEFAULTS.drainMs,
    settleMs: DEFAULTS.settleMs,
    env: {},
    secretKeys: [],
    health: null,
    rollout: { ...DEFAULTS.rollout },
    scale: null,
    build: null,
    serve: null,
    volumes: [],
    vm: null,
    needs: [],
    watch: null,
    envFiles: [],
    image: null,
    // Last, as the journal's upgrade adds them to specs of earlier versions (a spec's JSON compares whole).
    requestTimeoutMs: DEFAULTS.requestTimeoutMs,
    attempts: DEFAULTS.attempts,
  };
  let ingress: Written['ingress'] = null;
  let execAt: Written['execAt'] = null;

  for (const e of r.scopeEntries(entry.children ?? [], 'app')) {
    const at = e.key;
    switch (e.key) {
      case 'type': {
        const t = r.choice(e, 'type');
        if (t !== null) spec.type = (t === 'process' ? 'service' : t) as AppType;
        break;
      }
      case 'exec':
      case 'bin': {
        if (execAt) {
          sink.error(e.keyPos, `\`${e.key}\` and \`${execAt.key}\` (line ${execAt.pos.line}) both name the program; keep one`);
          break;
        }
        execAt = { key: e.key, pos: e.keyPos };
        const p = r.word(e);
        if (p !== null) spec.exec = r.program(p);
        r.positions.set('exec', e.restPos);
        break;
      }
      case 'args':
        spec.args = r.words(e);
        break;
      case 'cwd': {
        const p = r.word(e);
        if (p !== null) spec.cwd = r.resolve(p);
        break;
      }
      case 'port':
        spec.port = r.typed(e, (t) => parseInteger(t, 1, 65535));
        break;
      case 'ingress': {
        const v = r.typed(e, parseOnOff);
        if (v !== null) ingress = { value: v, pos: e.restPos };
        break;
      }
      case 'replicas':
        spec.replicas = r.typed(e, (t) => parseInteger(t, 0, LIMITS.replicas)) ?? spec.replicas;
        break;
      case 'ram':
        spec.ramBytes = r.typed(e, parseBytes);
        break;
      case 'cpu':
        spec.cpu = r.typed(e, (t) => parseDecimal(t, 1024));
        break;
      case 'gpu':
        spec.gpu = r.typed(e, parseBoolean) ?? false;
        break;
      case 'restart':
        spec.restart = (r.choice(e, 'restart') as AppSpec['restart'] | null) ?? spec.restart;
        break;
      case 'drain':
        spec.drainMs = r.typed(e, parseDuration) ?? spec.drainMs;
        break;
      case 'settle':
        spec.settleMs = r.typed(e, parseDuration) ?? spec.settleMs;
        break;
      case 'request-timeout':
        spec.requestTimeoutMs = r.typed(e, positiveDuration) ?? spec.requestTimeoutMs;
        break;
      case 'attempts':
        spec.attempts = r.typed(e, (t) => parseInteger(t, 1, 100)) ?? spec.attempts;
        break;
      case 'health':
        spec.health = readHealth(r, e);
        break;
      case 'rollout':
        spec.rollout = readRollout(r, e);
        break;
      case 'env':
        spec.env = readMap(r, e, 'env');
        break;
      case 'secret': {
        const read = readMap(r, e, 'secret');
        Object.assign(secrets, read);
        spec.secretKeys = Object.keys(read);
        break;
      }
      case 'volume':
        spec.volumes.push(readVolume(r, e));
        break;
      case 'build':
        spec.build = readBuild(r, e);
        break;
      case 'serve':
        spec.serve = readServe(r, e);
        break;
      case 'scale':
        spec.scale = readScale(r, e);
        break;
      case 'vm':
        spec.vm = readVm(r, e);
        break;
      case 'needs':
        spec.needs = readNeeds(r, e);
        break;
      case 'watch':
        spec.watch = readWatch(r, e);
        break;
      case 'image':
        spec.image = r.word(e);
        break;
      case 'env-file': {
        const p = r.word(e);
        if (p !== null) {
          r.positions.set(`env-file.${spec.envFiles.length}`, e.restPos);
          spec.envFiles.push(r.resolve(p));
        }
        break;
      }
    }
    if (!r.positions.has(at)) r.positions.set(at, e.children !== null ? e.keyPos : e.restPos);
  }

  crossCheck(spec, { at: entry.keyPos, ingress, execAt }, r.positions, sink);
  return { spec, secrets, pos: entry.keyPos, positions: r.positions };
}
