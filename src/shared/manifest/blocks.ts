// The blocks an app key opens, other than `health` (health-block.ts): `rollout`, the `env` and
// `secret` maps, `volume`, `build`, `serve`, `scale` and `vm`. Each reads its entries through
// entry-reader.ts into its part of the spec, with the rules that hold inside the block; rules
// between a block and the app's other keys are in cross-checks.ts.
import * as path from 'node:path';
import type { Entry } from './entries';
import { isEnvName, type EntryReader } from './entry-reader';
import { DEFAULTS, LIMITS, type BuildSpec, type Pos, type RolloutPolicy, type ScaleSpec, type ServeSpec, type VmSpec, type VolumeSpec, type WatchSpec } from './model';
import { parseDuration, parseInteger, parseMegabytes, parsePercent, parseUrl, positiveDuration } from './values';

export function readRollout(r: EntryReader, e: Entry): RolloutPolicy {
  const p: RolloutPolicy = { ...DEFAULTS.rollout };
  for (const c of r.scopeEntries(e.children ?? [], 'rollout', 'rollout.')) {
    switch (c.key) {
      case 'surge':
        p.surge = r.typed(c, (t) => parseInteger(t, 0, 1000)) ?? p.surge;
        break;
      case 'unavailable':
        p.unavailable = r.typed(c, (t) => parseInteger(t, 0, 1000)) ?? p.unavailable;
        break;
      case 'deadline':
        p.deadlineMs = r.typed(c, positiveDuration) ?? p.deadlineMs;
        break;
      case 'healthy-for':
        p.healthyForMs = r.typed(c, parseDuration) ?? p.healthyForMs;
        break;
      case 'on-failure':
        p.onFailure = (r.choice(c, 'on-failure') as RolloutPolicy['onFailure'] | null) ?? p.onFailure;
        break;
    }
  }
  return p;
}

/** `env` and `secret`: lines `KEY value…` or `KEY=value`. */
export function readMap(r: EntryReader, e: Entry, which: 'env' | 'secret'): Record<string, string> {
  // Collected in a Map: adding hundreds of distinct keys to an object one by one is slow.
  const out = new Map<string, string>();
  const seen = new Map<string, Pos>();
  let count = 0;
  for (const c of e.children ?? []) {
    let key = c.key;
    let value = c.rest;
    const eq = key.indexOf('=');
    // `=value` is a value without a name: split it too, so the value is never shown as a name.
    if (eq >= 0) {
      value = key.slice(eq + 1);
      key = key.slice(0, eq);
      if (c.args.length > 0) {
        r.sink.error(c.restPos, `\`${key}=\` takes one value; quote it if it holds spaces`);
        continue;
      }
    } else if (c.args[0]?.text === '=' && !c.args[0].quoted) {
      value = c.args.slice(1).map((t) => t.text).join(' ');
    }
    if (!isEnvName(key)) {
      r.sink.error(c.keyPos, `"${key}" is not a valid ${which} name: use letters, digits and \`_\`, not starting with a digit`);
      continue;
    }
    if (c.children !== null) {
      r.sink.error(c.children[0]?.keyPos ?? c.keyPos, `${which} entries do not open blocks; unindent the lines below \`${key}\``);
      continue;
    }
    const first = seen.get(key);
    if (first) {
      r.sink.error(c.keyPos, `duplicate ${which} \`${key}\` (first at line ${first.line})`);
      continue;
    }
    count++;
    if (count === LIMITS.envEntries + 1) {
      r.sink.error(c.keyPos, `too many ${which} entries: at most ${LIMITS.envEntries} an app`);
    }
    if (count > LIMITS.envEntries) continue;
    seen.set(key, c.keyPos);
    out.set(key, value);
    r.positions.set(`${which}.${key}`, c.keyPos);
  }
  return Object.fromEntries(out);
}

export function readVolume(r: EntryReader, e: Entry): VolumeSpec {
  const v: VolumeSpec = { path: null, env: null };
  for (const c of r.scopeEntries(e.children ?? [], 'volume', 'volume.')) {
    const word = r.word(c);
    if (word === null) continue;
    if (c.key === 'path') v.path = r.resolve(word);
    else if (r.envName(c, word)) v.env = word;
  }
  if (v.path === null) r.sink.error(e.keyPos, '`volume` needs a `path`');
  if (v.env === null) r.sink.error(e.keyPos, '`volume` needs an `env` variable to receive its path');
  return v;
}

export function readBuild(r: EntryReader, e: Entry): BuildSpec {
  const b: BuildSpec = { run: [], out: null };
  for (const c of r.scopeEntries(e.children ?? [], 'build', 'build.')) {
    if (c.key === 'run') {
      if (c.rest === '') r.sink.error(c.keyPos, '`run` needs a command');
      else b.run.push(c.rest);
    } else {
      const p = r.word(c);
      if (p !== null) b.out = r.resolve(p);
      if (b.out !== null && !path.relative(b.out, r.dir).startsWith('..')) {
        r.sink.warning(c.restPos, `\`out\` ${p} holds the manifest's own folder: each generation's build output is captured (copied), so name the folder the build writes, such as ./dist`);
      }
    }
  }
  if (b.run.length === 0) r.sink.error(e.keyPos, '`build` needs at least one `run` command');
  return b;
}

export function readServe(r: EntryReader, e: Entry): ServeSpec {
  const s: ServeSpec = { static: null, port: null, proxy: null };
  for (const c of r.scopeEntries(e.children ?? [], 'serve', 'serve.')) {
    switch (c.key) {
      case 'static': {
        const p = r.word(c);
        if (p !== null) s.static = r.resolve(p);
        break;
      }
      case 'port':
        s.port = r.typed(c, (t) => parseInteger(t, 1, 65535));
        break;
      case 'proxy':
        s.proxy = r.typed(c, parseUrl);
        break;
    }
  }
  return s;
}

export function readScale(r: EntryReader, e: Entry): ScaleSpec {
  const s: ScaleSpec = { min: null, max: null, cpuAbove: null, cpuBelow: null };
  for (const c of r.scopeEntries(e.children ?? [], 'scale', 'scale.')) {
    switch (c.key) {
      case 'min':
        s.min = r.typed(c, (t) => parseInteger(t, 0, LIMITS.replicas));
        break;
      case 'max':
        s.max = r.typed(c, (t) => parseInteger(t, 0, LIMITS.replicas));
        break;
      case 'cpu-above':
        s.cpuAbove = r.typed(c, parsePercent);
        break;
      case 'cpu-below':
        s.cpuBelow = r.typed(c, parsePercent);
        break;
    }
  }
  return s;
}

export function readVm(r: EntryReader, e: Entry): VmSpec {
  const v: VmSpec = { hypervisor: null, kernel: null, rootfs: null, vcpus: null, memory: null, net: null, args: [] };
  for (const c of r.scopeEntries(e.children ?? [], 'vm', 'vm.')) {
    switch (c.key) {
      case 'hypervisor': {
        const p = r.word(c);
        if (p !== null) v.hypervisor = r.program(p);
        break;
      }
      case 'kernel':
      case 'rootfs': {
        const p = r.word(c);
        if (p !== null) v[c.key] = r.resolve(p);
        break;
      }
      case 'vcpus':
        v.vcpus = r.typed(c, (t) => parseInteger(t, 1, 1024));
        break;
      case 'memory':
        v.memory = r.typed(c, parseMegabytes);
        break;
      case 'net':
        v.net = r.word(c);
        break;
      case 'args':
        v.args = r.words(c);
        break;
    }
  }
  return v;
}

/** `watch GLOB...` on one line, or the block: `paths`, `ignore`, `debounce`. */
export function readWatch(r: EntryReader, e: Entry): WatchSpec | null {
  const w: WatchSpec = { paths: [], ignore: [], debounceMs: DEFAULTS.watchDebounceMs };
  if (e.children === null) {
    w.paths = r.words(e);
    r.positions.set('watch.paths', e.restPos);
  } else {
    for (const c of r.scopeEntries(e.children, 'watch', 'watch.')) {
      if (c.key === 'paths') w.paths = r.words(c);
      else if (c.key === 'ignore') w.ignore = r.words(c);
      else w.debounceMs = r.typed(c, parseDuration) ?? w.debounceMs;
    }
    if (w.paths.length === 0 && !r.positions.has('watch.paths')) r.sink.error(e.keyPos, '`watch` needs `paths`: globs of the files to watch, like `paths src/**/*.py`');
  }
  for (const glob of [...w.paths, ...w.ignore]) {
    if (path.isAbsolute(glob) || glob.split('/').includes('..')) {
      r.sink.error(r.positions.get('watch.paths') ?? e.keyPos, `\`${glob}\`: watch globs are relative to the manifest's folder and stay inside it`);
    }
  }
  return w.paths.length > 0 ? w : null;
}
