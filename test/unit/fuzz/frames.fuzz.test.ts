// Property-based fuzzing of the agent protocol's framing and frame schemas: the newline-delimited
// JSON decoder (LineDecoder, parseJsonLine) and the zod schemas both ends validate every frame
// with (AgentFrame, ConductorFrame). Whatever bytes arrive, however they are chunked, the decoder
// either yields lines or throws FrameError, and never anything else (a Session closes a connection
// on FrameError but lets any other error escape); schemas never throw on any JSON; and valid frames
// survive encoding, arbitrary chunking, decoding and validation unchanged.
//
// Reproducible: every property runs with a fixed seed.
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { AgentFrame, ConductorFrame, describeInvalid, LaunchSpec, MAX_FRAME_BYTES, ReplicaReport } from '../../../src/shared/protocol/agent';
import { encodeLine, FrameError, LineDecoder, parseJsonLine } from '../../../src/shared/protocol/ndjson';

const SEED = 42;

function run<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns: number): void {
  fc.assert(fc.property(arb, predicate), { seed: SEED, numRuns });
}

/** Splits bytes at the given points (taken modulo the length; empty chunks included). */
function chunk(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const points = cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    out.push(Buffer.from(bytes.subarray(start, p)));
    start = p;
  }
  out.push(Buffer.from(bytes.subarray(start)));
  return out;
}

/** What a decoder with this limit must yield for these bytes, as one stream. */
function reference(bytes: Buffer, limit: number): { lines: string[]; overlong: boolean } {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0) break;
    const raw = bytes.subarray(start, nl);
    if (raw.length > limit) return { lines, overlong: true };
    const text = raw.toString('utf8');
    lines.push(text.endsWith('\r') ? text.slice(0, -1) : text);
    start = nl + 1;
  }
  return { lines, overlong: bytes.length - start > limit };
}

function decodeAll(chunks: Buffer[], limit: number): { lines: string[]; error: unknown } {
  const decoder = new LineDecoder(limit);
  const lines: string[] = [];
  try {
    for (const c of chunks) for (const l of decoder.push(c)) lines.push(l);
  } catch (err) {
    return { lines, error: err };
  }
  return { lines, error: null };
}

/** Bytes a connection might carry: newlines and carriage returns often, multi-byte UTF-8, invalid bytes. */
const streamByte = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) },
  { weight: 2, arbitrary: fc.constantFrom(0x0a, 0x0d, 0x7b, 0x7d, 0x22, 0x5c, 0x20) },
);
const streamBytes = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  fc.array(fc.oneof(streamByte.map((b) => [b]), fc.constantFrom([0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x9a, 0x80], [0xed, 0xa0, 0x80], [0xc3])), { maxLength: 200 }).map((parts) =>
    Uint8Array.from(parts.flat()),
  ),
);
const cuts = fc.array(fc.nat(), { maxLength: 30 });

/** Anything JSON can hold, normalised the way JSON itself would (no -0). */
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
/** Strings with any UTF-16 unit, lone surrogates and line ends included (JSON escapes them). */
const anyString = (maxLength: number, minLength = 0) =>
  fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\r', '"', '\\', '\u2028', '\u0000'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength, maxLength }).filter(
    (s) => s.length >= minLength && s.length <= maxLength,
  );

// ---- valid frames, from the schemas' shapes -----------------------------------------------------------

/** Records as JSON.parse makes them: plain objects (fast-check also makes null-prototype ones). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const record = ((model: any) => fc.record(model, { noNullPrototype: true })) as typeof fc.record;

const id = anyString(200, 1);
const pid = fc.oneof(fc.integer({ min: 1, max: 0x7fffffff }), fc.constant(Number.MAX_SAFE_INTEGER));
const port = fc.integer({ min: 1, max: 65535 });
const nonNegInt = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER));
const nonNeg = finite.map(Math.abs);
const signal = fc.option(fc.constantFrom('SIGTERM', 'SIGKILL', 'SIGINT'), { nil: null });

const replicaReport = record({
  id,
  app: anyString(63),
  generation: nonNegInt,
  pid: fc.option(pid, { nil: null }),
  port: fc.option(port, { nil: null }),
  startedAt: finite,
  state: fc.constantFrom('running' as const, 'exited' as const),
  exitCode: fc.option(fc.integer(), { nil: null }),
  signal,
});

const agentFrame: fc.Arbitrary<AgentFrame> = fc.oneof(
  record({
    t: fc.constant('hello' as const),
    v: fc.integer(),
    token: anyString(512),
    node: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,100}$/),
    address: fc.option(anyString(100), { nil: null }),
    capacity: record({ cpu: fc.double({ min: Number.MIN_VALUE, max: 1e9, noNaN: true }), memBytes: nonNeg, gpu: fc.boolean() }),
    version: anyString(50),
    replicas: fc.array(replicaReport, { maxLength: 4 }),
    followsConductor: fc.boolean(),
  }),
  record({ t: fc.constant('heartbeat' as const), cpu: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => (x === 0 ? 0 : x)), memFree: nonNeg }),
  record({ t: fc.constant('launched' as const), id, pid }),
  record({ t: fc.constant('launch-failed' as const), id, reason: anyString(4096) }),
  record({ t: fc.constant('exited' as const), id, code: fc.option(fc.integer(), { nil: null }), signal, restarting: fc.boolean() }),
  record({ t: fc.constant('restarted' as const), id, pid }),
  record({
    t: fc.constant('logs' as const),
    id,
    lines: fc.array(record({ seq: fc.integer({ min: 1, max: 1_000_000 }), at: finite, stream: fc.constantFrom('out' as const, 'err' as const), text: anyString(300) }), { maxLength: 5 }),
    dropped: nonNegInt,
  }),
);

/** Variable names: anything, except `__proto__`, which the manifest refuses (a JSON object can hold it, a zod record drops it). */
const envName = anyString(20).filter((k) => k !== '__proto__');
const launchSpec: fc.Arbitrary<LaunchSpec> = record({
  app: anyString(63, 1),
  generation: nonNegInt,
  type: fc.constantFrom('service' as const, 'job' as const, 'wasm' as const, 'vm' as const),
  exec: fc.option(anyString(100, 1), { nil: null }),
  args: fc.array(anyString(40), { maxLength: 6 }),
  cwd: anyString(100, 1),
  env: fc.array(fc.tuple(envName, anyString(40)), { maxLength: 6 }).map((entries) => Object.fromEntries(entries)),
  secretKeys: fc.array(anyString(20), { maxLength: 3 }),
  restart: fc.constantFrom('always' as const, 'on-failure' as const, 'never' as const),
  drainMs: nonNegInt,
  volumes: fc.array(anyString(60), { maxLength: 3 }),
  serveStatic: fc.option(anyString(60), { nil: null }),
  serveProxy: fc.option(anyString(60), { nil: null }),
  port: fc.option(port, { nil: null }),
});

const conductorFrame: fc.Arbitrary<ConductorFrame> = fc.oneof(
  record({ t: fc.constant('welcome' as const), v: fc.integer(), node: anyString(100), version: anyString(50) }),
  record({ t: fc.constant('refused' as const), reason: anyString(300) }),
  record({ t: fc.constant('launch' as const), id, spec: launchSpec }),
  record({ t: fc.constant('stop' as const), id, graceMs: nonNegInt }),
  fc.constant({ t: 'shutdown' as const }),
);

// ---- arbitrary JSON, shaped like frames and not ------------------------------------------------------

const FIELDS = ['t', 'v', 'token', 'node', 'address', 'capacity', 'cpu', 'memBytes', 'gpu', 'version', 'replicas', 'followsConductor', 'memFree', 'id', 'pid', 'reason', 'code', 'signal', 'restarting', 'lines', 'dropped', 'spec', 'graceMs', 'env', 'args', '__proto__', 'constructor', 'toString'];
const TYPES = ['hello', 'heartbeat', 'launched', 'launch-failed', 'exited', 'restarted', 'logs', 'welcome', 'refused', 'launch', 'stop', 'shutdown', 'HELLO', '', 'hello\u0000'];
const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, 0, -1, 1.5, 1e308, -0, '', 'x'.repeat(5000), [], {}, [[[]]], Number.MAX_SAFE_INTEGER + 2),
);
/** Objects with a real `t` and a random selection of the real field names, holding anything. */
const frameLike = fc
  .tuple(fc.constantFrom(...TYPES), fc.array(fc.tuple(fc.constantFrom(...FIELDS), oddValue), { maxLength: 8 }))
  .map(([t, fields]) => JSON.parse(JSON.stringify(Object.fromEntries([['t', t], ...fields.filter(([k]) => k !== '__proto__')]))).valueOf())
  .chain((obj: Record<string, unknown>) =>
    // Own `__proto__` keys exist only through JSON.parse, as they would arrive on the wire.
    fc.boolean().map((withProto) => (withProto ? JSON.parse(JSON.stringify(obj).replace(/^\{/, '{"__proto__":{"t":"hello","v":1},')) : obj)),
  );
/** A valid frame with one field replaced by anything. */
function mutated<T extends object>(frames: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.tuple(frames, fc.nat(), oddValue).map(([frame, which, value]) => {
    const copy = JSON.parse(JSON.stringify(frame)) as Record<string, unknown>;
    const keys = Object.keys(copy);
    copy[keys[which % keys.length]!] = value;
    return copy;
  });
}

function neverThrows(schema: typeof AgentFrame | typeof ConductorFrame, value: unknown): void {
  let r: ReturnType<typeof schema.safeParse>;
  try {
    r = schema.safeParse(value);
  } catch (err) {
    throw new Error(`safeParse threw on ${JSON.stringify(value)?.slice(0, 300)}: ${(err as Error)?.stack ?? String(err)}`);
  }
  if (!r.success) {
    const why = describeInvalid(r.error);
    assert.ok(typeof why === 'string' && why.length > 0);
  }
}

describe('fuzz: agent protocol frames', function () {
  this.timeout(60_000);

  describe('LineDecoder', () => {
    it('yields lines or throws FrameError, never anything else, and never a line over its limit', () => {
      run(
        fc.tuple(streamBytes, cuts, fc.integer({ min: 0, max: 64 })),
        ([bytes, at, limit]) => {
          const { lines, error } = decodeAll(chunk(bytes, at), limit);
          assert.ok(error === null || error instanceof FrameError, `not a FrameError: ${(error as Error)?.stack}`);
          for (const l of lines) assert.ok(l.length <= limit, `a line of ${l.length} characters passed a ${limit}-byte limit`);
        },
        3000,
      );
    });

    it('gives the same lines however the stream is chunked, and refuses exactly the streams with an overlong line', () => {
      run(
        fc.tuple(streamBytes, cuts, cuts, fc.integer({ min: 0, max: 64 })),
        ([bytes, cutsA, cutsB, limit]) => {
          const expected = reference(Buffer.from(bytes), limit);
          for (const c of [[], cutsA, cutsB, [...Array(bytes.length).keys()]]) {
            const { lines, error } = decodeAll(chunk(bytes, c), limit);
            if (expected.overlong) {
              assert.ok(error instanceof FrameError, `an overlong line was not refused (chunks at ${c.join(',')})`);
              assert.match(error.message, new RegExp(`frame of more than ${limit} bytes`));
              assert.deepEqual(lines, expected.lines.slice(0, lines.length), 'the lines before the refusal are the stream\'s own');
            } else {
              assert.equal(error, null, `refused a stream with no overlong line: ${(error as Error)?.message}`);
              assert.deepEqual(lines, expected.lines);
            }
          }
        },
        1500,
      );
    });

    it('at the real limit: a frame of MAX_FRAME_BYTES passes, one byte more is refused, however it is chunked', () => {
      run(
        fc.tuple(fc.integer({ min: -2, max: 1 }), cuts, fc.constantFrom('a', 'é')),
        ([delta, at, fill]) => {
          const body = Buffer.from(fill.repeat(MAX_FRAME_BYTES), 'utf8').subarray(0, MAX_FRAME_BYTES + delta);
          const bytes = Buffer.concat([body, Buffer.from('\n{}\n')]);
          const { lines, error } = decodeAll(chunk(bytes, at.map((x) => x * 9973)), MAX_FRAME_BYTES);
          if (delta > 0) assert.ok(error instanceof FrameError);
          else {
            assert.equal(error, null);
            assert.equal(lines.length, 2);
            assert.equal(lines[1], '{}');
          }
        },
        12,
      );
    });
  });

  describe('parseJsonLine', () => {
    it('returns a value or throws FrameError for any line', () => {
      const lines = fc.oneof(anyString(200), fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'), fc.constantFrom('', '{', '[]]', '"\\ud800"', '1e999', '-', '{"a":1,}', 'null', '\ufeff{}'));
      run(
        lines,
        (line) => {
          try {
            parseJsonLine(line);
          } catch (err) {
            assert.ok(err instanceof FrameError, `not a FrameError: ${(err as Error)?.stack}`);
            assert.match(err.message, /^not JSON: /);
          }
        },
        1500,
      );
    });
  });

  describe('the frame schemas', () => {
    it('AgentFrame.safeParse and ConductorFrame.safeParse never throw on any JSON value', () => {
      run(fc.oneof(fc.jsonValue(), frameLike, mutated(agentFrame), mutated(conductorFrame)), (value) => {
        neverThrows(AgentFrame, value);
        neverThrows(ConductorFrame, value);
      }, 3000);
    });

    it('never throw on whatever JSON arbitrary bytes decode to', () => {
      run(
        fc.tuple(streamBytes, cuts),
        ([bytes, at]) => {
          const { lines } = decodeAll(chunk(bytes, at), 1024);
          for (const line of lines) {
            let value: unknown;
            try {
              value = parseJsonLine(line);
            } catch (err) {
              assert.ok(err instanceof FrameError);
              continue;
            }
            neverThrows(AgentFrame, value);
            neverThrows(ConductorFrame, value);
          }
        },
        500,
      );
    });

    it('a deeply nested value is refused, not a stack overflow', () => {
      for (const depth of [1_000, 5_000]) {
        const value = parseJsonLine(`{"t":"hello","replicas":${'['.repeat(depth)}${']'.repeat(depth)}}`);
        neverThrows(AgentFrame, value);
        assert.equal(AgentFrame.safeParse(value).success, false);
      }
    });

    it('valid agent frames round-trip: encoded, chunked anywhere, decoded and validated unchanged', () => {
      run(
        fc.tuple(fc.array(agentFrame, { minLength: 1, maxLength: 6 }), cuts),
        ([frames, at]) => {
          for (const f of frames) assert.ok(AgentFrame.safeParse(f).success, `the generator made an invalid frame: ${JSON.stringify(f)}`);
          const wire = Buffer.from(frames.map(encodeLine).join(''), 'utf8');
          const { lines, error } = decodeAll(chunk(wire, at), MAX_FRAME_BYTES);
          assert.equal(error, null);
          assert.equal(lines.length, frames.length, 'one line a frame: JSON escapes every line end');
          const back = lines.map((l) => {
            const r = AgentFrame.safeParse(parseJsonLine(l));
            assert.ok(r.success, r.success ? '' : describeInvalid(r.error));
            return r.data;
          });
          assert.deepEqual(back, frames);
        },
        1000,
      );
    });

    it('valid Conductor frames round-trip the same way', () => {
      run(
        fc.tuple(fc.array(conductorFrame, { minLength: 1, maxLength: 6 }), cuts),
        ([frames, at]) => {
          for (const f of frames) assert.ok(ConductorFrame.safeParse(f).success, `the generator made an invalid frame: ${JSON.stringify(f)}`);
          const wire = Buffer.from(frames.map(encodeLine).join(''), 'utf8');
          const { lines, error } = decodeAll(chunk(wire, at), MAX_FRAME_BYTES);
          assert.equal(error, null);
          const back = lines.map((l) => {
            const r = ConductorFrame.safeParse(parseJsonLine(l));
            assert.ok(r.success, r.success ? '' : describeInvalid(r.error));
            return r.data;
          });
          assert.deepEqual(back, frames);
        },
        1000,
      );
    });

    it('the replica reports inside a hello round-trip on their own', () => {
      run(replicaReport, (r) => assert.deepEqual(ReplicaReport.parse(JSON.parse(JSON.stringify(r))), r), 300);
    });
  });
});
