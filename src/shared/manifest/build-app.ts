// Giving entries their meaning: entries (from either syntax) in, apps and diagnostics out.
// Every rule of MANIFEST.md that is about one app lives here; keys are checked against keys.ts.
import * as path from 'node:path';
import type { DiagnosticSink } from './diagnostics';
import type { Entry } from './entries';
import { keyInfo, keysIn, scopeLabel, KEYS, type KeyInfo, type Scope } from './keys';
import {
  DEFAULTS,
  LIMITS,
  type AppSpec,
  type AppType,
  type BuildSpec,
  type HealthSpec,
  type ParsedApp,
  type Pos,
  type RolloutPolicy,
  type ScaleSpec,
  type ServeSpec,
  type VmSpec,
  type VolumeSpec,
} from './model';
import { nearest } from './suggest';
import {
  parseBoolean,
  parseBytes,
  parseChoice,
  parseDecimal,
  parseDuration,
  parseInteger,
  parsePercent,
  type Parsed,
} from './values';

export interface BuildContext {
  /** The manifest's folder: relative paths resolve against it. */
  dir: string;
  sink: DiagnosticSink;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `__proto__` has the form of a name, but no plain object (the spec, the launch frame, the agent's
 * environment) can hold it as a key: it would be lost on the way, so it is refused here. */
const isEnvName = (name: string): boolean => ENV_NAME.test(name) && name !== '__proto__';

export function buildApps(entries: readonly Entry[], ctx: BuildContext): ParsedApp[] {
  const apps: ParsedApp[] = [];
  const names = new Map<string, Pos>();
  let count = 0;
  for (const entry of entries) {
    if (entry.key !== 'app') {
      reportMisplaced(entry, 'top', ctx);
      continue;
    }
    count++;
    if (count === LIMITS.apps + 1) {
      ctx.sink.error(entry.keyPos, `too many apps: a manifest may hold at most ${LIMITS.apps}`);
    }
    if (count > LIMITS.apps) continue;
    const app = new AppBuilder(entry, ctx).build();
    if (app === null) continue;
    const first = names.get(app.spec.name);
    if (first) {
      ctx.sink.error(app.pos, `app \`${app.spec.name}\` is already defined at line ${first.line}; app names are unique within a file`);
      continue;
    }
    names.set(app.spec.name, app.pos);
    apps.push(app);
  }
  return apps;
}

/** Whether the app's args or env hand the replica's port on (`${PORT}`, `$PORT`, `--port=$PORT`...). */
function mentionsPort(spec: AppSpec): boolean {
  return spec.args.some((a) => a.includes('PORT')) || Object.entries(spec.env).some(([k, v]) => k.includes('PORT') || v.includes('PORT'));
}

/** Reports a key that does not belong where it is written: unknown (warning) or misplaced (error). */
function reportMisplaced(entry: Entry, scope: Scope, ctx: BuildContext, appName?: string): void {
  const where = scope === 'app' && appName ? `app \`${appName}\`` : scopeLabel(scope);
  const elsewhere = KEYS.filter((k) => k.key === entry.key && k.scope !== scope);
  if (scope === 'top' && entry.key !== 'app') {
    const hint = elsewhere.some((k) => k.scope === 'app') ? '; start an app first with `app NAME`' : '';
    const guess = hint ? null : nearest(entry.key, ['app']);
    ctx.sink.error(entry.keyPos, `\`${entry.key}\` outside an app${hint}${guess ? `; did you mean \`${guess}\`?` : ''}`);
    return;
  }
  if (elsewhere.length > 0) {
    const home = elsewhere[0]!.scope;
    const fix = home === 'app' ? 'it is an app key: indent it like the block header above it' : `it belongs in ${scopeLabel(home)}`;
    ctx.sink.error(entry.keyPos, `\`${entry.key}\` is not a key of ${where}; ${fix}`);
    return;
  }
  const guess = nearest(entry.key, keysIn(scope).map((k) => k.key));
  ctx.sink.warning(entry.keyPos, `unknown key \`${entry.key}\` in ${where}, ignored${guess ? `; did you mean \`${guess}\`?` : ''}`);
}

class AppBuilder {
  private readonly sink: DiagnosticSink;
  private readonly positions = new Map<string, Pos>();
  private readonly secrets: Record<string, string> = {};
  private name = '';

  constructor(
    private readonly entry: Entry,
    private readonly ctx: BuildContext,
  ) {
    this.sink = ctx.sink;
  }

  build(): ParsedApp | null {
    const { entry } = this;
    const nameToken = entry.args[0];
    if (!nameToken) {
      this.sink.error(entry.keyPos, '`app` needs a name, like `app web`');
      return null;
    }
    this.name = nameToken.text;
    if (entry.args.length > 1) {
      this.sink.error(entry.args[1]!.pos, `an app name is one word; found "${entry.rest}"`);
    }
    if (!NAME.test(this.name) || this.name.length > LIMITS.nameLength) {
      this.sink.error(nameToken.pos, `app name "${this.name}" is not valid: use letters, digits, \`-\`, \`_\` and \`.\`, at most ${LIMITS.nameLength} characters`);
    }

    const spec: AppSpec = {
      name: this.name,
      type: DEFAULTS.type,
      exec: null,
      args: [],
      cwd: this.ctx.dir,
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
    };
    let ingress: { value: boolean; pos: Pos } | null = null;
    let execAt: { key: string; pos: Pos } | null = null;

    for (const e of this.scopeEntries(entry.children ?? [], 'app')) {
      const at = e.key;
      switch (e.key) {
        case 'type': {
          const t = this.choice(e, 'type');
          if (t !== null) spec.type = (t === 'process' ? 'service' : t) as AppType;
          break;
        }
        case 'exec':
        case 'bin': {
          if (execAt) {
            this.sink.error(e.keyPos, `\`${e.key}\` and \`${execAt.key}\` (line ${execAt.pos.line}) both name the program; keep one`);
            break;
          }
          execAt = { key: e.key, pos: e.keyPos };
          const p = this.word(e);
          if (p !== null) spec.exec = this.program(p);
          this.positions.set('exec', e.restPos);
          break;
        }
        case 'args':
          spec.args = this.words(e);
          break;
        case 'cwd': {
          const p = this.word(e);
          if (p !== null) spec.cwd = this.resolve(p);
          break;
        }
        case 'port':
          spec.port = this.typed(e, (t) => parseInteger(t, 1, 65535));
          break;
        case 'ingress': {
          const v = this.typed(e, parseOnOff);
          if (v !== null) ingress = { value: v, pos: e.restPos };
          break;
        }
        case 'replicas':
          spec.replicas = this.typed(e, (t) => parseInteger(t, 0, LIMITS.replicas)) ?? spec.replicas;
          break;
        case 'ram':
          spec.ramBytes = this.typed(e, parseBytes);
          break;
        case 'cpu':
          spec.cpu = this.typed(e, (t) => parseDecimal(t, 1024));
          break;
        case 'gpu':
          spec.gpu = this.typed(e, parseBoolean) ?? false;
          break;
        case 'restart':
          spec.restart = (this.choice(e, 'restart') as AppSpec['restart'] | null) ?? spec.restart;
          break;
        case 'drain':
          spec.drainMs = this.typed(e, parseDuration) ?? spec.drainMs;
          break;
        case 'settle':
          spec.settleMs = this.typed(e, parseDuration) ?? spec.settleMs;
          break;
        case 'health':
          spec.health = this.health(e);
          break;
        case 'rollout':
          spec.rollout = this.rollout(e);
          break;
        case 'env':
          spec.env = this.map(e, 'env');
          break;
        case 'secret': {
          const secrets = this.map(e, 'secret');
          Object.assign(this.secrets, secrets);
          spec.secretKeys = Object.keys(secrets);
          break;
        }
        case 'volume':
          spec.volumes.push(this.volume(e));
          break;
        case 'build':
          spec.build = this.buildBlock(e);
          break;
        case 'serve':
          spec.serve = this.serve(e);
          break;
        case 'scale':
          spec.scale = this.scale(e);
          break;
        case 'vm':
          spec.vm = this.vm(e);
          break;
      }
      if (!this.positions.has(at)) this.positions.set(at, e.children !== null ? e.keyPos : e.restPos);
    }

    this.crossChecks(spec, ingress, execAt);
    return { spec, secrets: this.secrets, pos: entry.keyPos, positions: this.positions };
  }

  private crossChecks(spec: AppSpec, ingress: { value: boolean; pos: Pos } | null, execAt: { key: string; pos: Pos } | null): void {
    const at = this.entry.keyPos;
    if (spec.serve?.port != null) {
      if (spec.port !== null && spec.port !== spec.serve.port) {
        this.sink.error(this.positions.get('serve.port')!, `\`serve\` port ${spec.serve.port} differs from the app's \`port\` ${spec.port}; keep one`);
      } else {
        spec.port = spec.serve.port;
      }
    }
    spec.ingress = ingress?.value ?? spec.port !== null;
    if (spec.ingress && spec.port === null) {
      this.sink.error(ingress!.pos, '`ingress on` needs a `port` to listen on');
    }
    if (!execAt && !spec.serve?.static && spec.type !== 'vm') {
      this.sink.error(at, `app \`${spec.name}\` needs \`exec\`: the program to run (or \`serve\` with \`static\` files)`);
    }
    if (spec.type === 'vm' && spec.vm === null && !execAt) {
      this.sink.error(at, `app \`${spec.name}\` is \`type vm\` and needs a \`vm\` block`);
    }
    for (const key of spec.secretKeys) {
      if (Object.hasOwn(spec.env, key)) {
        this.sink.error(this.positions.get(`secret.${key}`)!, `\`${key}\` is in both \`env\` and \`secret\`; keep it in one`);
      }
    }
    const envPort = spec.env.PORT;
    if (spec.ingress && spec.port !== null && envPort !== undefined) {
      const note = envPort === String(spec.port)
        ? `\`env PORT ${envPort}\` is replaced: with \`ingress on\` Skr8tr listens on ${spec.port} and gives each replica its own PORT; remove it, or set \`ingress off\``
        : `\`env PORT ${envPort}\` is replaced: with \`ingress on\` each replica gets its own PORT; remove it, or set \`ingress off\``;
      this.sink.warning(this.positions.get('env.PORT')!, note);
    } else if (spec.ingress && spec.port !== null && execAt && !mentionsPort(spec)) {
      // The most common first mistake: a program that binds the manifest's port itself collides
      // with the ingress, which holds it. Each replica is told its own port in PORT.
      this.sink.info(
        this.positions.get('port') ?? this.positions.get('serve.port') ?? at,
        `each replica gets its own port in $PORT (the ingress holds ${spec.port}); neither \`args\` nor \`env\` mention PORT, so make sure the program listens on $PORT, or set \`ingress off\` if it must bind ${spec.port} itself`,
      );
    }
    if (spec.rollout.surge === 0 && spec.rollout.unavailable === 0) {
      this.sink.error(this.positions.get('rollout') ?? at, '`surge` and `unavailable` are both 0, so a rollout could never make progress; allow one of them');
    }
    if (spec.scale) {
      const { min, max, cpuAbove, cpuBelow } = spec.scale;
      if (min !== null && max !== null && min > max) {
        this.sink.error(this.positions.get('scale.min')!, `scale \`min\` ${min} is above \`max\` ${max}`);
      }
      if (cpuAbove !== null && cpuBelow !== null && cpuBelow >= cpuAbove) {
        this.sink.error(this.positions.get('scale.cpu-below')!, `\`cpu-below\` ${cpuBelow}% must be below \`cpu-above\` ${cpuAbove}%`);
      }
      if ((min !== null && spec.replicas < min) || (max !== null && spec.replicas > max)) {
        this.sink.warning(this.positions.get('replicas') ?? this.positions.get('scale')!, `\`replicas\` ${spec.replicas} is outside the scale bounds ${min ?? 0}–${max ?? '∞'}`);
      }
    }
    if (spec.volumes.some((v) => v.env === 'PORT')) {
      this.sink.error(this.positions.get('volume')!, 'a volume may not use `PORT` as its variable');
    }
  }

  // ---- scopes ----------------------------------------------------------------------------------

  /** The entries of a block that are known in `scope`, with unknown, misplaced and duplicate ones reported. */
  private *scopeEntries(entries: readonly Entry[], scope: Scope, prefix = ''): Generator<Entry & { info: KeyInfo }> {
    const seen = new Map<string, Pos>();
    for (const e of entries) {
      const info = keyInfo(scope, e.key);
      if (!info) {
        reportMisplaced(e, scope, this.ctx, this.name);
        continue;
      }
      const first = seen.get(e.key);
      if (first && !info.repeatable) {
        this.sink.error(e.keyPos, `duplicate \`${e.key}\` (first at line ${first.line}); write it once`);
        continue;
      }
      if (!first) seen.set(e.key, e.keyPos);
      const isBlock = info.value.kind === 'block' || info.value.kind === 'map';
      if (e.children !== null && !isBlock) {
        this.sink.error(e.children[0]?.keyPos ?? e.keyPos, `\`${e.key}\` does not open a block; unindent the lines below it`);
        continue;
      }
      if (isBlock && e.children === null && !(scope === 'app' && e.key === 'health' && e.args.length > 0)) {
        if (e.args.length > 0) {
          this.sink.error(e.restPos, `\`${e.key}\` opens a block: put its entries on the lines below, indented`);
        } else {
          this.sink.warning(e.keyPos, `\`${e.key}\` block is empty`);
        }
        continue;
      }
      if (e.children !== null && e.args.length > 0) {
        this.sink.error(e.restPos, `unexpected "${e.rest}" after \`${e.key}\``);
      }
      if (prefix && !this.positions.has(prefix + e.key)) this.positions.set(prefix + e.key, e.children !== null ? e.keyPos : e.restPos);
      yield { ...e, info };
    }
  }

  private health(e: Entry): HealthSpec | null {
    const h: HealthSpec = {
      kind: 'http',
      method: null,
      path: null,
      status: null,
      intervalMs: DEFAULTS.health.intervalMs,
      timeoutMs: DEFAULTS.health.timeoutMs,
      retries: DEFAULTS.health.retries,
    };
    let checked = false;
    if (e.children === null) {
      checked = this.check(e, h);
      this.positions.set('health.check', e.restPos);
    } else {
      for (const c of this.scopeEntries(e.children, 'health', 'health.')) {
        switch (c.key) {
          case 'check':
            checked = this.check(c, h);
            break;
          case 'interval':
            h.intervalMs = this.typed(c, positiveDuration) ?? h.intervalMs;
            break;
          case 'timeout':
            h.timeoutMs = this.typed(c, positiveDuration) ?? h.timeoutMs;
            break;
          case 'retries':
            h.retries = this.typed(c, (t) => parseInteger(t, 1, 100)) ?? h.retries;
            break;
        }
      }
    }
    if (!checked) {
      if (!this.positions.get('health.check')) this.sink.error(e.keyPos, '`health` needs a `check`: `check GET /health 200` or `check tcp`');
      return null;
    }
    return h;
  }

  /** `GET /path [status]` or `tcp`. */
  private check(e: Entry, h: HealthSpec): boolean {
    const [first, second, third, extra] = e.args;
    if (!first) {
      this.sink.error(e.keyPos, '`check` needs `GET /path [status]` or `tcp`');
      return false;
    }
    const kind = first.text.toLowerCase();
    if (kind === 'tcp') {
      if (second) this.sink.error(second.pos, '`check tcp` takes nothing more');
      Object.assign(h, { kind: 'tcp', method: null, path: null, status: null });
      return true;
    }
    if (kind === 'get') {
      if (!second || !second.text.startsWith('/')) {
        this.sink.error(second?.pos ?? e.restPos, '`check GET` needs a path starting with `/`, like `check GET /health 200`');
        return false;
      }
      let status = DEFAULTS.health.status;
      if (third) {
        const s = parseInteger(third.text, 100, 599);
        if (!s.ok) {
          this.sink.error(third.pos, `bad status: ${s.reason}`);
          return false;
        }
        status = s.value;
      }
      if (extra) this.sink.error(extra.pos, `unexpected "${extra.text}" after the status`);
      Object.assign(h, { kind: 'http', method: 'GET', path: second.text, status });
      return true;
    }
    const hint = ['post', 'head', 'put', 'http', 'https'].includes(kind) ? '; only `GET` probes and `tcp` are supported' : '';
    this.sink.error(first.pos, `"${first.text}" is not a check: write \`GET /path [status]\` or \`tcp\`${hint}`);
    return false;
  }

  private rollout(e: Entry): RolloutPolicy {
    const r: RolloutPolicy = { ...DEFAULTS.rollout };
    for (const c of this.scopeEntries(e.children ?? [], 'rollout', 'rollout.')) {
      switch (c.key) {
        case 'surge':
          r.surge = this.typed(c, (t) => parseInteger(t, 0, 1000)) ?? r.surge;
          break;
        case 'unavailable':
          r.unavailable = this.typed(c, (t) => parseInteger(t, 0, 1000)) ?? r.unavailable;
          break;
        case 'deadline':
          r.deadlineMs = this.typed(c, positiveDuration) ?? r.deadlineMs;
          break;
        case 'healthy-for':
          r.healthyForMs = this.typed(c, parseDuration) ?? r.healthyForMs;
          break;
        case 'on-failure':
          r.onFailure = (this.choice(c, 'on-failure') as RolloutPolicy['onFailure'] | null) ?? r.onFailure;
          break;
      }
    }
    return r;
  }

  /** `env` and `secret`: lines `KEY value…` or `KEY=value`. */
  private map(e: Entry, which: 'env' | 'secret'): Record<string, string> {
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
          this.sink.error(c.restPos, `\`${key}=\` takes one value; quote it if it holds spaces`);
          continue;
        }
      } else if (c.args[0]?.text === '=' && !c.args[0].quoted) {
        value = c.args.slice(1).map((t) => t.text).join(' ');
      }
      if (!isEnvName(key)) {
        this.sink.error(c.keyPos, `"${key}" is not a valid ${which} name: use letters, digits and \`_\`, not starting with a digit`);
        continue;
      }
      if (c.children !== null) {
        this.sink.error(c.children[0]?.keyPos ?? c.keyPos, `${which} entries do not open blocks; unindent the lines below \`${key}\``);
        continue;
      }
      const first = seen.get(key);
      if (first) {
        this.sink.error(c.keyPos, `duplicate ${which} \`${key}\` (first at line ${first.line})`);
        continue;
      }
      count++;
      if (count === LIMITS.envEntries + 1) {
        this.sink.error(c.keyPos, `too many ${which} entries: at most ${LIMITS.envEntries} an app`);
      }
      if (count > LIMITS.envEntries) continue;
      seen.set(key, c.keyPos);
      out.set(key, value);
      this.positions.set(`${which}.${key}`, c.keyPos);
    }
    return Object.fromEntries(out);
  }

  private volume(e: Entry): VolumeSpec {
    const v: VolumeSpec = { path: null, env: null };
    for (const c of this.scopeEntries(e.children ?? [], 'volume', 'volume.')) {
      const word = this.word(c);
      if (word === null) continue;
      if (c.key === 'path') v.path = this.resolve(word);
      else if (this.envName(c, word)) v.env = word;
    }
    if (v.path === null) this.sink.error(e.keyPos, '`volume` needs a `path`');
    if (v.env === null) this.sink.error(e.keyPos, '`volume` needs an `env` variable to receive its path');
    return v;
  }

  private buildBlock(e: Entry): BuildSpec {
    const b: BuildSpec = { run: [], out: null };
    for (const c of this.scopeEntries(e.children ?? [], 'build', 'build.')) {
      if (c.key === 'run') {
        if (c.rest === '') this.sink.error(c.keyPos, '`run` needs a command');
        else b.run.push(c.rest);
      } else {
        const p = this.word(c);
        if (p !== null) b.out = this.resolve(p);
        if (b.out !== null && !path.relative(b.out, this.ctx.dir).startsWith('..')) {
          this.sink.warning(c.restPos, `\`out\` ${p} holds the manifest's own folder: each generation's build output is captured (copied), so name the folder the build writes, such as ./dist`);
        }
      }
    }
    if (b.run.length === 0) this.sink.error(e.keyPos, '`build` needs at least one `run` command');
    return b;
  }

  private serve(e: Entry): ServeSpec {
    const s: ServeSpec = { static: null, port: null, proxy: null };
    for (const c of this.scopeEntries(e.children ?? [], 'serve', 'serve.')) {
      switch (c.key) {
        case 'static': {
          const p = this.word(c);
          if (p !== null) s.static = this.resolve(p);
          break;
        }
        case 'port':
          s.port = this.typed(c, (t) => parseInteger(t, 1, 65535));
          break;
        case 'proxy':
          s.proxy = this.typed(c, parseUrl);
          break;
      }
    }
    return s;
  }

  private scale(e: Entry): ScaleSpec {
    const s: ScaleSpec = { min: null, max: null, cpuAbove: null, cpuBelow: null };
    for (const c of this.scopeEntries(e.children ?? [], 'scale', 'scale.')) {
      switch (c.key) {
        case 'min':
          s.min = this.typed(c, (t) => parseInteger(t, 0, LIMITS.replicas));
          break;
        case 'max':
          s.max = this.typed(c, (t) => parseInteger(t, 0, LIMITS.replicas));
          break;
        case 'cpu-above':
          s.cpuAbove = this.typed(c, parsePercent);
          break;
        case 'cpu-below':
          s.cpuBelow = this.typed(c, parsePercent);
          break;
      }
    }
    return s;
  }

  private vm(e: Entry): VmSpec {
    const v: VmSpec = { hypervisor: null, kernel: null, rootfs: null, vcpus: null, memory: null, net: null, args: [] };
    for (const c of this.scopeEntries(e.children ?? [], 'vm', 'vm.')) {
      switch (c.key) {
        case 'hypervisor': {
          const p = this.word(c);
          if (p !== null) v.hypervisor = this.program(p);
          break;
        }
        case 'kernel':
        case 'rootfs': {
          const p = this.word(c);
          if (p !== null) v[c.key] = this.resolve(p);
          break;
        }
        case 'vcpus':
          v.vcpus = this.typed(c, (t) => parseInteger(t, 1, 1024));
          break;
        case 'memory':
          v.memory = this.typed(c, parseMegabytes);
          break;
        case 'net':
          v.net = this.word(c);
          break;
        case 'args':
          v.args = this.words(c);
          break;
      }
    }
    return v;
  }

  // ---- values ----------------------------------------------------------------------------------

  /** Exactly one word. */
  private word(e: Entry): string | null {
    if (e.args.length === 0) {
      this.sink.error(e.keyPos, `\`${e.key}\` needs a value, like \`${keyExample(e.key)}\``);
      return null;
    }
    if (e.args.length > 1) {
      this.sink.error(e.args[1]!.pos, `\`${e.key}\` takes one value; found "${e.rest}" (quote it if it holds spaces)`);
      return null;
    }
    if (e.args[0]!.text === '') {
      // `exec ""` is no program and `path ""` no folder: an empty word is never a value.
      this.sink.error(e.args[0]!.pos, `\`${e.key}\` needs a value, like \`${keyExample(e.key)}\`; found an empty one`);
      return null;
    }
    return e.args[0]!.text;
  }

  private words(e: Entry): string[] {
    if (e.args.length === 0) this.sink.error(e.keyPos, `\`${e.key}\` needs a value, like \`${keyExample(e.key)}\``);
    return e.args.map((t) => t.text);
  }

  private typed<T>(e: Entry, parse: (text: string) => Parsed<T>): T | null {
    const text = this.word(e);
    if (text === null) return null;
    const r = parse(text);
    if (!r.ok) {
      this.sink.error(e.args[0]!.pos, `bad \`${e.key}\`: ${r.reason}`);
      return null;
    }
    return r.value;
  }

  private choice(e: Entry & { info?: KeyInfo }, key: string): string | null {
    const info = e.info ?? KEYS.find((k) => k.key === key)!;
    if (info.value.kind !== 'choice') throw new Error(`${key} is not a choice key`);
    const choices = info.value.choices;
    const text = this.word(e);
    if (text === null) return null;
    const r = parseChoice(text, choices);
    if (!r.ok) {
      const guess = nearest(text, choices);
      this.sink.error(e.args[0]!.pos, `bad \`${e.key}\`: ${r.reason}${guess ? `; did you mean \`${guess}\`?` : ''}`);
      return null;
    }
    return r.value;
  }

  private envName(e: Entry, name: string): boolean {
    if (isEnvName(name)) return true;
    this.sink.error(e.args[0]!.pos, `"${name}" is not a valid environment variable name`);
    return false;
  }

  /** A program: a path with a slash resolves against the manifest's folder; a bare name is looked up on PATH at launch. */
  private program(p: string): string {
    return p.includes('/') ? this.resolve(p) : p;
  }

  private resolve(p: string): string {
    return path.resolve(this.ctx.dir, p);
  }
}

function positiveDuration(text: string): Parsed<number> {
  const r = parseDuration(text);
  if (r.ok && r.value === 0) return { ok: false, reason: 'must be longer than 0' };
  return r;
}

function parseOnOff(text: string): Parsed<boolean> {
  const r = parseBoolean(text);
  return r.ok ? r : { ok: false, reason: `"${text}" is not \`on\` or \`off\`` };
}

function parseUrl(text: string): Parsed<string> {
  try {
    const u = new URL(text);
    if (u.protocol === 'http:' || u.protocol === 'https:') return { ok: true, value: text };
  } catch {
    // fall through
  }
  return { ok: false, reason: `"${text}" is not an http:// or https:// URL` };
}

/** VM memory: a bare number is MB; with a unit, converted to MB. */
function parseMegabytes(text: string): Parsed<number> {
  if (/^\d+$/.test(text)) return parseInteger(text, 1, 16 * 1024 * 1024);
  const r = parseBytes(text);
  if (!r.ok) return r;
  return { ok: true, value: Math.ceil(r.value / (1024 * 1024)) };
}

function keyExample(key: string): string {
  return KEYS.find((k) => k.key === key)?.example.split('\n')[0] ?? key;
}
