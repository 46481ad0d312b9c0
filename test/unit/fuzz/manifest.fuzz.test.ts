// Property-based fuzzing of the manifest parser, both syntaxes: arbitrary text, arbitrary bytes,
// mutated bytes of real manifests, a grammar-aware generator that mixes the real keys (keys.ts) with
// values, indentation, braces, comments, quotes and line ends, and a generator of manifests that are
// valid by construction. Whatever the input, parseManifest never throws, returns in time, and every
// diagnostic is well formed; what it accepts is usable by the Conductor (a valid `launch` frame with
// every variable) and never carries a secret value outside `secrets`.
//
// Reproducible: every property runs with a fixed seed. A failure prints the seed and the path of the
// smallest counterexample fast-check found.
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { launchSpec } from '../../../src/conductor/launch-spec';
import { hasErrors, LIMITS, parseManifest, type ParsedApp, type ParseResult } from '../../../src/shared/manifest';
import { specToJson } from '../../../src/shared/manifest/json';
import { KEYS } from '../../../src/shared/manifest/keys';
import { ConductorFrame, MAX_FRAME_BYTES } from '../../../src/shared/protocol/agent';

const SEED = 42;
type Syntax = 'skr8tr' | 'yaml';
const SYNTAXES: readonly Syntax[] = ['skr8tr', 'yaml'];
const FILE: Record<Syntax, string> = { skr8tr: '/fuzz/x.skr8tr', yaml: '/fuzz/x.skr8tr.yaml' };

function run<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns: number): void {
  fc.assert(fc.property(arb, predicate), { seed: SEED, numRuns, endOnFailure: false });
}

const byteLength = (input: string | Uint8Array): number => (typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength);

/** A hang detector, not a benchmark: 2 s for anything up to 64 KiB, proportionally more beyond. */
const timeLimitMs = (bytes: number): number => 2_000 * Math.max(1, bytes / 65_536);

// ---- the checks every parse must pass ------------------------------------------------------------

/** Secret values the generators write are `s3cr3t-<n>-<nonce>`: a text that appears nowhere else. */
const SECRET_MARKER = /s3cr3t-\d+-[a-z]{6}/g;

function parseChecked(input: string | Uint8Array, syntax: Syntax): ParseResult {
  const file = FILE[syntax];
  const size = byteLength(input);
  // Mocha sets Error.stackTraceLimit to Infinity, which makes every stack overflow the yaml package
  // catches internally (deeply nested input) capture thousands of frames; the daemons, the CLI and
  // the extension host run with Node's default of 10, so the time is measured with that.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 10;
  let result: ParseResult;
  let ms: number;
  try {
    const started = performance.now();
    try {
      result = parseManifest(input, file);
    } catch (err) {
      throw new Error(`parseManifest threw on a ${size}-byte ${syntax} input: ${(err as Error)?.stack ?? String(err)}`);
    }
    ms = performance.now() - started;
    // The machine may be busy with other work: a slow parse counts only if it is slow every time.
    for (let retry = 0; retry < 2 && ms >= timeLimitMs(size); retry++) {
      const again = performance.now();
      parseManifest(input, file);
      ms = Math.min(ms, performance.now() - again);
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  assert.ok(ms < timeLimitMs(size), `parsing a ${size}-byte ${syntax} input took ${Math.round(ms)} ms, three times (limit ${timeLimitMs(size)} ms)`);
  wellFormed(result, file);
  return result;
}

function wellFormed(r: ParseResult, file: string): void {
  assert.ok(Array.isArray(r.apps) && Array.isArray(r.diagnostics));
  for (const d of r.diagnostics) {
    const show = JSON.stringify(d);
    assert.ok(d.severity === 'error' || d.severity === 'warning', `severity: ${show}`);
    assert.ok(Number.isInteger(d.line) && d.line >= 1, `line: ${show}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, `column: ${show}`);
    assert.ok(typeof d.message === 'string' && d.message.trim().length > 0, `message: ${show}`);
    assert.equal(d.file, file);
  }
  // A value the parser took as a secret is never repeated by a diagnostic.
  const secretMarkers = r.apps.flatMap((a) => Object.values(a.secrets).flatMap((v) => v.match(SECRET_MARKER) ?? []));
  for (const d of r.diagnostics) for (const m of secretMarkers) assert.ok(!d.message.includes(m), `secret value ${m} appears in a diagnostic: ${JSON.stringify(d)}`);
  for (let i = 1; i < r.diagnostics.length; i++) {
    const [a, b] = [r.diagnostics[i - 1]!, r.diagnostics[i]!];
    assert.ok(a.line < b.line || (a.line === b.line && a.column <= b.column), 'diagnostics are sorted by position');
  }
  const errors = r.diagnostics.some((d) => d.severity === 'error');
  if (r.apps.length > 0 && !errors) assert.equal(hasErrors(r.diagnostics), false, 'apps and no error diagnostics, yet hasErrors');
  assert.equal(hasErrors(r.diagnostics), errors);
  // Nothing to run is never a clean result.
  if (r.apps.length === 0) assert.ok(errors, 'no apps, yet no error');
  assert.ok(r.apps.length <= LIMITS.apps);
  assert.equal(new Set(r.apps.map((a) => a.spec.name)).size, r.apps.length, 'app names are unique');
  for (const app of r.apps) {
    const json = specToJson(app.spec);
    const text = JSON.stringify(json);
    assert.deepEqual(JSON.parse(text), json, 'the spec survives JSON (no undefined, NaN or Infinity)');
    for (const value of Object.values(app.secrets)) {
      for (const marker of value.match(SECRET_MARKER) ?? []) {
        assert.ok(!text.includes(marker), `secret value ${marker} of ${app.spec.name} appears in specToJson: ${text}`);
      }
    }
  }
  if (!errors) for (const app of r.apps) acceptedApp(app);
}

/** What the Conductor relies on for an app of a manifest without errors. */
function acceptedApp(app: ParsedApp): void {
  const { spec, secrets } = app;
  const show = JSON.stringify(specToJson(spec));
  assert.match(spec.name, /^[A-Za-z0-9_.-]{1,63}$/, show);
  assert.ok(Number.isInteger(spec.replicas) && spec.replicas >= 0 && spec.replicas <= LIMITS.replicas, show);
  assert.ok(spec.port === null || (Number.isInteger(spec.port) && spec.port >= 1 && spec.port <= 65535), show);
  assert.ok(!spec.ingress || spec.port !== null, `ingress without a port: ${show}`);
  assert.ok(spec.exec !== null || spec.serve?.static || spec.type === 'vm', `nothing to run: ${show}`);
  for (const ms of [spec.drainMs, spec.settleMs, spec.rollout.deadlineMs, spec.rollout.healthyForMs]) assert.ok(Number.isSafeInteger(ms) && ms >= 0, show);
  // An unwritten surge (null) starts at least one new replica at a time.
  assert.ok((spec.rollout.surge ?? 1) + spec.rollout.unavailable > 0, show);
  assert.deepEqual(spec.secretKeys, Object.keys(secrets), show);
  assert.ok(Object.keys(spec.env).length <= LIMITS.envEntries && spec.secretKeys.length <= LIMITS.envEntries, show);
  for (const k of spec.secretKeys) assert.ok(!Object.hasOwn(spec.env, k), `${k} is both env and secret: ${show}`);

  // The frame the Conductor would send for a replica is one the agent accepts, with every variable.
  const port = spec.port === null ? null : 40_000;
  const id = `${spec.name}-1-abc123`;
  const ls = launchSpec(spec, secrets, { id, generation: 1, port });
  const frame = ConductorFrame.safeParse(JSON.parse(JSON.stringify({ t: 'launch', id, spec: ls })));
  assert.ok(frame.success, `the launch frame for ${show} is refused: ${frame.success ? '' : frame.error.message}`);
  assert.ok(Buffer.byteLength(JSON.stringify({ t: 'launch', id, spec: ls })) < MAX_FRAME_BYTES);
  const received = frame.data.t === 'launch' ? frame.data.spec.env : {};
  const names = [...Object.keys(spec.env), ...Object.keys(secrets), ...spec.volumes.flatMap((v) => (v.env ? [v.env] : []))];
  for (const name of names) {
    assert.ok(Object.hasOwn(ls.env, name), `variable ${JSON.stringify(name)} is missing from the launch spec of ${show}`);
    assert.ok(Object.hasOwn(received, name), `variable ${JSON.stringify(name)} is lost on the way to the agent for ${show}`);
  }
}

// ---- generators -----------------------------------------------------------------------------------

const KEY_WORDS = [...new Set(KEYS.map((k) => k.key))];
const TYPOS = ['prot', 'replica', 'exe', 'helth', 'enviroment', 'App', 'APP', 'rollout:', 'env:', 'check:', '-', '- app', '---', '...'];
const ENV_NAMES = ['RUST_LOG', 'A', '_X', 'PORT', 'MY_SECRET', 'SKR8TR_APP', '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', '1BAD', 'BAD-NAME', 'X=1', 'Y=', '=', 'ü'];
const VALUES = [
  '3', '0', '1', '1000', '1001', '-1', '+5', '8080', '65535', '65536', '99999999999999999999', '1.5', '.5', '1e3', '0x10', 'NaN', 'Infinity',
  '10s', '500ms', '2m', '1h', '0s', '1.5s', '8760h', '8761h', '512mb', '4GB', '1k', '9999999999gb', '70%', '101%', '100',
  'true', 'false', 'yes', 'no', 'on', 'off', 'null', '~',
  'service', 'job', 'vm', 'wasm', 'process', 'always', 'on-failure', 'never', 'rollback', 'pause', 'continue',
  'GET', 'get', 'POST', 'tcp', '/health', 'health', '200', '503', '99', 'http://127.0.0.1:8080', 'https://x', 'ftp://x', 'http://',
  './bin/server', '/usr/bin/node', 'node', '..', '/', '~/x', 'C:\\x',
  '${PORT}', '${REPLICA}', '${GENERATION}', '${APP}', '${HOME}', '$(touch x)', '`id`', ';', '&&', '|', '*', '>', '<', '\\', '\\"',
  '"a b"', "'c d'", '"unterminated', "'x", '"a\\"b"', '""', "''", '"#"', '"{"', '=', 'KEY=value', 'KEY="a b"',
  '{', '}', '{}', 'a{', '}a', '[', ']', '[a, b]', '{a: b}', '&anchor', '*alias', '!tag', '|', '>-', '? ', ': ', ':', '- ', '%', '@', '#x',
  'ünï', '日本', '🚀', '\u00a0', '\u2028', '\ufeff', 'a\tb',
];
const NAMES = ['web', 'api', 'a', 'x.y-z_1', 'A'.repeat(63), 'b'.repeat(64), 'bad name', 'bad/name', '""', '🚀', '-', '.'];

const wordChar = fc.constantFrom(...'abcxyzABC019_-./:${}"\'#=\\ \t'.split(''));
const randomWord = fc.string({ unit: wordChar, minLength: 1, maxLength: 10 });
const value = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...VALUES) }, { weight: 1, arbitrary: randomWord });
const indentUnit = fc.constantFrom('', ' ', '  ', '   ', '    ', '\t', '\t ', ' \t');
const indent = fc.array(indentUnit, { maxLength: 4 }).map((parts) => parts.join(''));
const eol = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r');
const comment = fc.constantFrom('', '', '', ' # a comment', '\t#c', '#glued', ' #', ' # "quoted # in comment"');
/** A placeholder the test replaces with a unique secret marker. */
const SECRET = '\u0000SECRET\u0000';

function withMarkers(text: string, nonce: string): string {
  return text
    .split(SECRET)
    .map((part, i) => (i === 0 ? part : `s3cr3t-${i - 1}-${nonce}${part}`))
    .join('');
}
const nonce = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')), minLength: 6, maxLength: 6 });

/** One line of the line syntax, from the real keys and values, in every shape a person might write. */
const skr8trLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(indent, fc.constantFrom(...KEY_WORDS), fc.array(value, { maxLength: 4 }), fc.constantFrom('', '', '', ' {', '{'), comment).map(([i, k, vs, brace, c]) => `${i}${[k, ...vs].join(' ')}${brace}${c}`) },
  { weight: 2, arbitrary: fc.tuple(indent, fc.constantFrom(...NAMES), comment).map(([i, n, c]) => `${i}app ${n}${c}`) },
  { weight: 3, arbitrary: fc.tuple(indent, fc.constantFrom(...ENV_NAMES), fc.constantFrom(' ', '=', ' = ', '\t'), fc.oneof(value, fc.constant(SECRET), fc.constant(`"${SECRET} x"`))).map(([i, k, sep, v]) => `${i}${k}${sep}${v}`) },
  { weight: 1, arbitrary: fc.tuple(indent, fc.constantFrom(...TYPOS), fc.array(value, { maxLength: 2 })).map(([i, k, vs]) => `${i}${[k, ...vs].join(' ')}`) },
  { weight: 2, arbitrary: fc.tuple(indent, fc.constantFrom('{', '}', '} x', '{ }', '', '# only a comment', '#', '"', "'")).map(([i, t]) => `${i}${t}`) },
);

/** One line of the YAML syntax. */
const yamlLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(indent, fc.constantFrom(...KEY_WORDS), fc.constantFrom(': ', ':', ': ', ' : '), fc.oneof(value, fc.constant(''), fc.array(value, { maxLength: 3 }).map((vs) => `[${vs.join(', ')}]`)), comment).map(([i, k, sep, v, c]) => `${i}${k}${sep}${v}${c}`) },
  { weight: 2, arbitrary: fc.tuple(indent, fc.constantFrom(...NAMES)).map(([i, n]) => `${i}app: ${n}`) },
  { weight: 3, arbitrary: fc.tuple(indent, fc.constantFrom(...ENV_NAMES), fc.oneof(value, fc.constant(SECRET), fc.constant(`"${SECRET}"`), fc.constant(`'${SECRET} x'`))).map(([i, k, v]) => `${i}${k}: ${v}`) },
  { weight: 2, arbitrary: fc.tuple(indent, fc.constantFrom('- ', '-', '- - '), value).map(([i, d, v]) => `${i}${d}${v}`) },
  { weight: 1, arbitrary: fc.tuple(indent, fc.constantFrom(...TYPOS), value).map(([i, k, v]) => `${i}${k}: ${v}`) },
  { weight: 2, arbitrary: fc.constantFrom('---', '...', '', '# comment', '%YAML 1.2', '--- !tag', '{', '}', '[', ']', '? key', ': value', '|', '  |', '>', 'env: &e', 'secret: *e', '<<: *e') },
);

function document(line: fc.Arbitrary<string>, maxLines: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('', '', '', '\ufeff'), fc.array(fc.tuple(line, eol), { maxLength: maxLines }), fc.boolean(), nonce)
    .map(([bom, lines, finalEol, n]) => {
      const text = lines.map(([l, e], i) => (i === lines.length - 1 && !finalEol ? l : l + e)).join('');
      return bom + withMarkers(text, n);
    });
}

/** Mostly-plausible documents: an `app` line first, then the mix. */
function grammarDocument(syntax: Syntax, maxLines = 40): fc.Arbitrary<string> {
  const line = syntax === 'yaml' ? yamlLine : skr8trLine;
  return fc.tuple(fc.constantFrom(...NAMES.slice(0, 4)), document(line, maxLines)).map(([name, rest]) => (syntax === 'yaml' ? `app: ${name}\n` : `app ${name}\n`) + rest);
}

/** Bytes of a real-looking manifest with some bytes replaced, inserted or removed. */
function mutatedBytes(syntax: Syntax): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(fc.constantFrom('set', 'insert', 'delete'), fc.nat(), fc.integer({ min: 0, max: 255 }));
  return fc.tuple(grammarDocument(syntax, 20), fc.array(edit, { minLength: 1, maxLength: 8 })).map(([text, edits]) => {
    const bytes = [...Buffer.from(text, 'utf8')];
    for (const [op, at, byte] of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (op === 'set' && bytes.length > 0) bytes[i] = byte;
      else if (op === 'insert') bytes.splice(i, 0, byte);
      else bytes.splice(i, 1);
    }
    return Uint8Array.from(bytes);
  });
}

// ---- secret blocks of any shape ---------------------------------------------------------------------

/** Names as written before a value in a `secret` block: valid, invalid, empty (`=value`). */
const SECRET_NAMES = ['TOKEN', 'API_KEY', '_K', 'toString', '__proto__', '1BAD', 'BAD-NAME', 'ü', '${X}', '', '"TOKEN"'];
/** Ways to separate a name from its value; a line with no name always has an `=`. */
const SECRET_SEPARATORS = [' ', '\t', '=', ' = ', ' =', '= ', '==', '  '];
/** The value around the marker `@`: quoted, unterminated, with more words, a brace, a comment. */
const SECRET_VALUES = ['@', '"@"', "'@'", '"@ x"', '@ extra', '@ "x"', '"@', "'@", '@{', '@ {', '@}', '@ # comment', 'x@', '"a\\"@"', '@=x', '${PORT}@'];

const secretLine = fc
  .tuple(fc.constantFrom(...SECRET_NAMES), fc.constantFrom(...SECRET_SEPARATORS), fc.constantFrom(...SECRET_VALUES))
  .filter(([name, sep]) => name !== '' || sep.includes('='))
  .map(([name, sep, value]) => `${name}${sep}${value.replace('@', SECRET)}`);

function secretBlock(syntax: Syntax): fc.Arbitrary<string> {
  return fc.tuple(fc.array(fc.tuple(secretLine, fc.constantFrom('', '', ' # c')), { minLength: 1, maxLength: 6 }), eol, nonce).map(([lines, e, n]) => {
    const body =
      syntax === 'yaml'
        ? ['app: web', 'exec: x', 'secret:', ...lines.map(([l, c]) => `  ${l.replace(/^([^ \t=]*)(?:[ \t]*=[ \t]*|[ \t]+)/, '$1: ')}${c}`)]
        : ['app web', '  exec x', '  secret', ...lines.map(([l, c]) => `    ${l}${c}`)];
    return withMarkers(body.join(e === '\r' && syntax === 'yaml' ? '\n' : e) + '\n', n);
  });
}

// ---- valid by construction ------------------------------------------------------------------------

interface Model {
  name: string;
  exec: string;
  args: string[];
  replicas: number;
  port: number | null;
  env: [string, string][];
  secrets: [string, string][];
  health: { path: string; status: number } | 'tcp' | null;
  drainMs: number;
  /** null: not written. */
  surge: number | null;
}

/**
 * Variable names of the right form, including names of Object.prototype's members. `__proto__` is
 * one too: a manifest may refuse it, with an error naming it, but never accept and then lose it.
 */
const VALID_ENV_NAMES = ['__proto__', 'RUST_LOG', 'A', '_X', 'LOG_LEVEL', 'DATABASE_URL', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', '__defineGetter__', 'x1', 'Z_9'];
/** Text without line ends or NUL: what a value on one line can hold. */
const lineText = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...'abc XYZ 019_-./:=,;&|*?!@%^()[]{}<>~`$#"\'\\\t'.split('')) },
    { weight: 1, arbitrary: fc.constantFrom('ü', '日', '🚀', '\u00a0', '${PORT}', '$(id)') },
  ),
  maxLength: 12,
});

const model: fc.Arbitrary<Model> = fc.record({
  name: fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/),
  exec: fc.constantFrom('node', '/usr/bin/node', '/opt/my app/bin/server', '/x/$(id)/`id`;rm'),
  args: fc.array(lineText, { maxLength: 6 }),
  replicas: fc.integer({ min: 0, max: 1000 }),
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }),
  env: fc.uniqueArray(fc.tuple(fc.constantFrom(...VALID_ENV_NAMES), lineText), { selector: ([k]) => k, maxLength: 5 }),
  secrets: fc.uniqueArray(fc.tuple(fc.constantFrom(...VALID_ENV_NAMES), lineText), { selector: ([k]) => k, maxLength: 4 }),
  health: fc.oneof(fc.constant(null), fc.constant('tcp' as const), fc.record({ path: fc.constantFrom('/health', '/', '/a/b?c=d'), status: fc.integer({ min: 100, max: 599 }) })),
  drainMs: fc.integer({ min: 0, max: 3_600_000 }),
  surge: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }),
}).map((m) => {
  // env and secret names are disjoint by construction (a name in both is an error).
  const envNames = new Set(m.env.map(([k]) => k));
  return { ...m, secrets: m.secrets.filter(([k]) => !envNames.has(k)) };
});

interface Style {
  indent: string;
  braces: boolean;
  eol: string;
  comments: boolean;
  quote: 'double' | 'single' | 'minimal';
}
const style: fc.Arbitrary<Style> = fc.record({
  indent: fc.constantFrom('  ', '    ', '\t', '   ', ' \t'),
  braces: fc.boolean(),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  comments: fc.boolean(),
  quote: fc.constantFrom('double', 'single', 'minimal'),
});

const SAFE_WORD = /^[A-Za-z0-9_./:@%+,=-]+$/;
function shellWord(s: string, how: Style['quote']): string {
  if (how === 'minimal' && SAFE_WORD.test(s) && !s.startsWith('=')) return s;
  if (how === 'single' && !s.includes("'")) return `'${s}'`;
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function renderSkr8tr(m: Model, secretValues: string[], st: Style): string {
  const lines: string[] = [];
  const c = (l: string) => (st.comments ? `${l} # note` : l);
  const open = (header: string, depth: number) => lines.push(st.indent.repeat(depth) + (st.braces ? `${header} {` : header));
  const close = (depth: number) => st.braces && lines.push(`${st.indent.repeat(depth)}}`);
  if (st.comments) lines.push('# a generated manifest');
  open(`app ${m.name}`, 0);
  const i1 = st.indent;
  const i2 = st.indent.repeat(2);
  lines.push(c(`${i1}exec ${shellWord(m.exec, st.quote)}`));
  if (m.args.length > 0) lines.push(c(`${i1}args ${m.args.map((a) => shellWord(a, st.quote)).join(' ')}`));
  lines.push(c(`${i1}replicas ${m.replicas}`));
  if (m.port !== null) lines.push(c(`${i1}port ${m.port}`));
  lines.push(c(`${i1}drain ${m.drainMs}ms`));
  if (m.health === 'tcp') lines.push(c(`${i1}health tcp`));
  else if (m.health) {
    open('health', 1);
    lines.push(c(`${i2}check GET ${m.health.path} ${m.health.status}`));
    close(1);
  }
  open('rollout', 1);
  lines.push(c(m.surge === null ? `${i2}on-failure rollback` : `${i2}surge ${m.surge}`));
  close(1);
  const map = (header: string, entries: [string, string][]) => {
    if (entries.length === 0) return;
    open(header, 1);
    // A value is the rest of the line as written, or one quoted word unquoted: quote it.
    for (const [k, v] of entries) lines.push(c(st.quote === 'minimal' && SAFE_WORD.test(v) && !v.startsWith('=') ? `${i2}${k} ${v}` : `${i2}${k}=${shellWord(v, st.quote === 'minimal' ? 'double' : st.quote)}`));
    close(1);
  };
  map('env', m.env);
  map('secret', m.secrets.map(([k, v], i) => [k, v + secretValues[i]!]));
  close(0);
  return lines.join(st.eol) + st.eol;
}

const yamlScalar = (s: string): string => (/^[A-Za-z_][A-Za-z0-9_./-]*$/.test(s) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(s) ? s : JSON.stringify(s));

function renderYaml(m: Model, secretValues: string[], st: Style): string {
  const lines: string[] = [];
  const ind = '  ';
  if (st.comments) lines.push('# a generated manifest');
  lines.push(`app: ${m.name.match(/^[A-Za-z_][A-Za-z0-9_.-]*$/) ? m.name : JSON.stringify(m.name)}`);
  lines.push(`exec: ${JSON.stringify(m.exec)}`);
  if (m.args.length > 0) {
    if (st.braces) lines.push(`args: [${m.args.map((a) => JSON.stringify(a)).join(', ')}]`);
    else lines.push('args:', ...m.args.map((a) => `${ind}- ${JSON.stringify(a)}`));
  }
  lines.push(`replicas: ${m.replicas}${st.comments ? ' # how many' : ''}`);
  if (m.port !== null) lines.push(`port: ${m.port}`);
  lines.push(`drain: ${m.drainMs}ms`);
  if (m.health === 'tcp') lines.push('health: tcp');
  else if (m.health) lines.push('health:', `${ind}check: GET ${m.health.path} ${m.health.status}`);
  lines.push('rollout:', m.surge === null ? `${ind}on-failure: rollback` : `${ind}surge: ${m.surge}`);
  const map = (header: string, entries: [string, string][]) => {
    if (entries.length === 0) return;
    if (st.braces) lines.push(`${header}: {${entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}}`);
    else lines.push(`${header}:`, ...entries.map(([k, v]) => `${ind}${k}: ${yamlScalar(v)}`));
  };
  map('env', m.env);
  map('secret', m.secrets.map(([k, v], i) => [k, v + secretValues[i]!]));
  return lines.join(st.eol === '\r' ? '\n' : st.eol) + '\n';
}

// ---- the properties ---------------------------------------------------------------------------

describe('fuzz: the manifest parser', function () {
  this.timeout(60_000);

  for (const syntax of SYNTAXES) {
    describe(`${syntax} syntax`, () => {
      it('arbitrary text (every code point, lone surrogates, NUL, manifest punctuation) never throws', () => {
        const units = fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
          fc.string({ unit: fc.constantFrom(...'app exec env secret health { } [ ] # " \' = : - & * ! | > \t \n \r\n \r \\ $ \ufeff \u0000'.split(' ').concat([' ', ''])), maxLength: 300 }),
        );
        run(units, (text) => void parseChecked(text, syntax), 600);
      });

      it('arbitrary bytes (invalid UTF-8, a byte-order mark, NUL) never throw', () => {
        const bytes = fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          fc.tuple(fc.constantFrom([], [0xef, 0xbb, 0xbf], [0xef, 0xbb], [0xfe, 0xff]), fc.array(fc.oneof(fc.constantFrom(0x0a, 0x0d, 0x20, 0x09, 0x7b, 0x7d, 0x23, 0x22, 0x3a, 0x2d, 0x61, 0x70), fc.integer({ min: 0, max: 255 })), { maxLength: 400 }))
            .map(([bom, rest]) => Uint8Array.from([...bom, ...rest])),
        );
        run(bytes, (b) => void parseChecked(b, syntax), 600);
      });

      it('real manifests with bytes replaced, inserted or removed never throw', () => {
        run(mutatedBytes(syntax), (b) => void parseChecked(b, syntax), 600);
      });

      it('grammar-aware mixes of real keys, values, indentation, braces, comments, quotes and line ends: never throw, well-formed diagnostics, no secret in a spec', () => {
        run(grammarDocument(syntax), (text) => void parseChecked(text, syntax), 1500);
      });

      it('large inputs (repeated grammar chunks up to 64 KiB) return within the time bound', () => {
        const big = fc.tuple(grammarDocument(syntax, 12), fc.integer({ min: 1, max: 5_000 })).map(([chunk, times]) => {
          const per = Math.max(1, Buffer.byteLength(chunk));
          return chunk.repeat(Math.max(1, Math.min(times, Math.floor(65_536 / per))));
        });
        run(big, (text) => void parseChecked(text, syntax), syntax === 'yaml' ? 12 : 25);
      });
    });
  }

  it('floods of short lines at the 1 MiB size limit never throw and return within the time bound', () => {
    // Many entries in one block: the case a recursive or spread-based reader breaks on.
    const flood = fc.tuple(
      fc.constantFrom('', 'app a\n', 'app a\n  exec x\n', 'app a\n  exec x\n  env\n', 'app a\n  exec x\n  build\n'),
      fc.constantFrom('a\n', 'app a\n', ' a\n', '}\n', '{\n', 'a\n b\n', '    run a\n', '    A b\n', '# c\n', '\n'),
      fc.integer({ min: 640 * 1024, max: LIMITS.fileBytes - 64 }),
    ).map(([head, unit, size]) => head + unit.repeat(Math.floor((size - head.length) / unit.length)));
    run(flood, (text) => void parseChecked(text, 'skr8tr'), 4);
  });

  it('a YAML list of more than 125,000 `run` items never throws', () => {
    // A repeatable key's list is read into one entry per item: more than a call takes arguments.
    const list = fc.tuple(fc.integer({ min: 126_000, max: 130_000 }), fc.constantFrom('a', 'b', '1')).map(
      ([n, item]) => `app: a\nexec: x\nbuild:\n  run: [\n${`   ${item},\n`.repeat(n)}   ${item}]\n`,
    );
    run(
      list,
      (text) => {
        const r = parseChecked(text, 'yaml');
        assert.ok((r.apps[0]?.spec.build?.run.length ?? 0) > 126_000, 'every item is a `run` command');
      },
      1,
    );
  });

  for (const syntax of SYNTAXES) {
    it(`${syntax}: a value written in a \`secret\` block, in any shape, never appears in a diagnostic or a spec`, () => {
      run(
        secretBlock(syntax),
        (text) => {
          const r = parseChecked(text, syntax);
          const shown = JSON.stringify(r.diagnostics.map((d) => d.message)) + JSON.stringify(r.apps.map((a) => specToJson(a.spec)));
          for (const marker of text.match(SECRET_MARKER) ?? []) assert.ok(!shown.includes(marker), `${marker} is shown:\n${text}\n${shown}`);
        },
        400,
      );
    });

    it(`${syntax}: a manifest valid by construction, in any style, parses without errors into exactly what was written`, () => {
      const arb = fc.tuple(model, style, nonce).map(([m, st, n]) => {
        const secretValues = m.secrets.map((_, i) => `s3cr3t-${i}-${n}`);
        return { m, st, secretValues, text: syntax === 'yaml' ? renderYaml(m, secretValues, st) : renderSkr8tr(m, secretValues, st) };
      });
      run(
        arb,
        ({ m, secretValues, text }) => {
          const r = parseChecked(text, syntax);
          const errors = r.diagnostics.filter((d) => d.severity === 'error');
          const proto = [...m.env, ...m.secrets].some(([k]) => k === '__proto__');
          if (proto && errors.length > 0) {
            for (const e of errors) assert.match(e.message, /__proto__/, `an error not about \`__proto__\` in:\n${text}`);
            return;
          }
          // Otherwise parseChecked has also checked that every variable reaches the agent's launch frame.
          assert.deepEqual(errors, [], `errors in a valid manifest:\n${text}`);
          assert.equal(r.apps.length, 1);
          const { spec, secrets } = r.apps[0]!;
          assert.equal(spec.name, m.name);
          assert.equal(spec.exec, m.exec);
          assert.deepEqual(spec.args, m.args, text);
          assert.equal(spec.replicas, m.replicas);
          assert.equal(spec.port, m.port);
          assert.equal(spec.drainMs, m.drainMs);
          assert.equal(spec.rollout.surge, m.surge);
          if (m.health === 'tcp') assert.equal(spec.health?.kind, 'tcp');
          else if (m.health) assert.deepEqual([spec.health?.path, spec.health?.status], [m.health.path, m.health.status]);
          else assert.equal(spec.health, null);
          assert.deepEqual(Object.entries(spec.env), m.env, text);
          assert.deepEqual(Object.entries(secrets), m.secrets.map(([k, v], i) => [k, v + secretValues[i]]), text);
          const shown = JSON.stringify(specToJson(spec)) + JSON.stringify(r.diagnostics);
          for (const s of secretValues) assert.ok(!shown.includes(s), `${s} appears in the spec or the diagnostics`);
        },
        300,
      );
    });
  }
});
