// The rollout planner (src/conductor/planner.ts): a pure function from one workload's state and the
// time to the next steps. Every test builds the state by hand, or runs a whole rollout in a small
// simulated world (replicas that start, get ready, fail and drain at fixed times) with a fake clock.
import * as assert from 'node:assert/strict';
import type { WorkloadRecord } from '../../../src/conductor/model';
import { backoffMs, plan, type Plan, type PlanInput, type PlanReplica, type PlanRollout, type Step } from '../../../src/conductor/planner';
import { byUser, planned, type PlannedChange } from '../../../src/conductor/rollout-transitions';
import { parseManifest, type AppSpec, type RolloutPolicy } from '../../../src/shared/manifest';
import type { ReplicaState, RolloutState } from '../../../src/shared/protocol/api';

const T0 = 1_000_000;

/** An app spec from manifest lines (the body of `app web`). */
function spec(...body: string[]): AppSpec {
  const text = ['app web', '  exec ./server', ...body].join('\n') + '\n';
  const r = parseManifest(text, '/m/a.skr8tr');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `manifest errors: ${errors.map((d) => d.message).join('; ')}`);
  return r.apps[0]!.spec;
}

/** A rollout policy from `rollout` block lines, e.g. policy('surge 0', 'unavailable 1'). */
function policy(...lines: string[]): RolloutPolicy {
  return lines.length === 0 ? spec().rollout : spec('  rollout', ...lines.map((l) => `    ${l}`)).rollout;
}

function rep(id: string, generation: number, state: ReplicaState, opts: Partial<PlanReplica> = {}): PlanReplica {
  return {
    id,
    generation,
    state,
    createdAt: opts.createdAt ?? T0 - 60_000,
    readyAt: opts.readyAt ?? (state === 'ready' ? T0 - 30_000 : null),
    completed: opts.completed ?? false,
    portTaken: opts.portTaken ?? false,
  };
}

function rollout(state: RolloutState, fromGeneration = 1, toGeneration = 2, countFailuresSince = T0 - 100_000): PlanRollout {
  return { state, fromGeneration, toGeneration, countFailuresSince };
}

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    now: T0,
    generation: 2,
    desired: 3,
    policy: policy(),
    job: false,
    rollout: null,
    replicas: [],
    launchNotBefore: 0,
    mayLaunch: true,
    unplaced: null,
    // No room to spare unless a test says otherwise: an unwritten surge then acts as `surge 1`.
    room: () => 0,
    ...over,
  };
}

/** A room() that fails the test when asked: a written surge (or no rollout) never needs it. */
const roomNotAsked = (): number => assert.fail('room() was asked for');

const launched = (p: Plan): number => p.steps.reduce((n, s) => n + (s.kind === 'launch' ? s.count : 0), 0);
const launchSteps = (p: Plan) => p.steps.filter((s): s is Extract<Step, { kind: 'launch' }> => s.kind === 'launch');
const stops = (p: Plan) => p.steps.filter((s): s is Extract<Step, { kind: 'stop' }> => s.kind === 'stop');
const fails = (p: Plan) => p.steps.filter((s): s is Extract<Step, { kind: 'fail' }> => s.kind === 'fail');
const transitions = (p: Plan) => p.steps.filter((s): s is Extract<Step, { kind: 'rollout' }> => s.kind === 'rollout');
const stoppedIds = (p: Plan): string[] => stops(p).map((s) => s.id);

/** Three ready replicas of generation 1, created in order. */
const oldReady = (n = 3): PlanReplica[] =>
  Array.from({ length: n }, (_, i) => rep(`old${i + 1}`, 1, 'ready', { createdAt: T0 - 90_000 + i * 1000 }));

// ---- a small simulated world -----------------------------------------------------------------------

/** What a launched replica does: get ready some time after it starts, fail, or hang in `starting`. */
type Behaviour = { ready: number } | { failAfter: number } | 'hang';

interface SimReplica extends PlanReplica {
  startsAt: number | null;
  readyBy: number | null;
  failsAt: number | null;
  drainedAt: number | null;
}

interface Event {
  at: number;
  step: Step;
  /** The replica a stop or fail step was about, as it was just before. */
  target?: { generation: number; state: ReplicaState };
}

const START_MS = 50;
const DRAIN_MS = 300;

class World {
  now = T0;
  /** The workload's record: rollout steps go through the Conductor's own transitions. */
  workload: WorkloadRecord;
  outcome: RolloutState | null = null;
  replicas: SimReplica[] = [];
  events: Event[] = [];
  /** Per generation, the count of replicas launched so far (gives ids and picks behaviours). */
  private launchedOf = new Map<number, number>();
  /** Checked after every pass. */
  private readonly checks: ((w: World) => void)[] = [];
  private readonly behaviour: (generation: number, index: number) => Behaviour;
  private readonly room: (w: World) => number;

  constructor(
    readonly policy: RolloutPolicy,
    opts: {
      desired: number;
      from: number;
      to: number;
      oldCount?: number;
      behaviour: (generation: number, index: number) => Behaviour;
      /** How many more replicas the nodes have room for (default: none to spare). */
      room?: (w: World) => number;
    },
  ) {
    this.room = opts.room ?? (() => 0);
    const gen = (generation: number) => ({ generation, spec: spec(), secrets: {}, manifestPath: '/m/a.skr8tr', manifestText: '', createdAt: T0, outcome: null });
    this.workload = {
      name: 'web',
      generation: opts.to,
      latestGeneration: Math.max(opts.from, opts.to),
      desired: opts.desired,
      generations: [...(opts.from > 0 ? [gen(opts.from)] : []), gen(opts.to)],
      rollout: { id: 'web-r1', app: 'web', fromGeneration: opts.from, toGeneration: opts.to, state: 'running', reason: null, startedAt: T0, endedAt: null, countFailuresSince: T0, aborted: false, traffic: null },
      history: [],
    };
    this.behaviour = opts.behaviour;
    for (let i = 0; i < (opts.oldCount ?? opts.desired); i++) {
      this.replicas.push({
        ...rep(`g${opts.from}-${i}`, opts.from, 'ready', { createdAt: T0 - 100_000 + i, readyAt: T0 - 90_000 }),
        startsAt: null,
        readyBy: null,
        failsAt: null,
        drainedAt: null,
      });
    }
    this.launchedOf.set(opts.from, opts.oldCount ?? opts.desired);
  }

  check(fn: (w: World) => void): this {
    this.checks.push(fn);
    return this;
  }

  count(pred: (r: SimReplica) => boolean): number {
    return this.replicas.filter(pred).length;
  }

  ready(generation?: number): number {
    return this.count((r) => r.state === 'ready' && (generation === undefined || r.generation === generation));
  }

  get generation(): number {
    return this.workload.generation;
  }

  get desired(): number {
    return this.workload.desired;
  }

  get rollout(): PlanRollout | null {
    const ro = this.workload.rollout;
    return ro ? { state: ro.state, fromGeneration: ro.fromGeneration, toGeneration: ro.toGeneration, countFailuresSince: ro.countFailuresSince } : null;
  }

  private input(): PlanInput {
    return {
      now: this.now,
      generation: this.generation,
      desired: this.desired,
      policy: this.policy,
      job: false,
      rollout: this.rollout,
      replicas: this.replicas.map((r) => ({
        id: r.id,
        generation: r.generation,
        state: r.state,
        createdAt: r.createdAt,
        readyAt: r.readyAt,
        completed: r.completed,
        portTaken: r.portTaken,
      })),
      launchNotBefore: 0,
      mayLaunch: true,
      unplaced: null,
      room: () => this.room(this),
    };
  }

  /** Runs the planner and performs its steps; returns the plan. */
  pass(): Plan {
    const p = plan(this.input());
    for (const step of p.steps) this.perform(step);
    for (const c of this.checks) c(this);
    return p;
  }

  private perform(step: Step): void {
    const target = 'id' in step ? this.replicas.find((r) => r.id === step.id) : undefined;
    this.events.push({ at: this.now, step, ...(target ? { target: { generation: target.generation, state: target.state } } : {}) });
    switch (step.kind) {
      case 'launch':
        for (let i = 0; i < step.count; i++) {
          const index = this.launchedOf.get(this.generation) ?? 0;
          this.launchedOf.set(this.generation, index + 1);
          const b = this.behaviour(this.generation, index);
          const startsAt = this.now + START_MS;
          this.replicas.push({
            id: `g${this.generation}-${index}`,
            generation: this.generation,
            state: 'pending',
            createdAt: this.now,
            readyAt: null,
            completed: false,
            portTaken: false,
            startsAt,
            readyBy: typeof b === 'object' && 'ready' in b ? startsAt + b.ready : null,
            failsAt: typeof b === 'object' && 'failAfter' in b ? startsAt + b.failAfter : null,
            drainedAt: null,
          });
        }
        break;
      case 'stop':
        assert.ok(target, `stop of an unknown replica ${step.id}`);
        assert.ok(['pending', 'starting', 'ready'].includes(target.state), `stop of ${step.id} in state ${target.state}`);
        target.state = 'draining';
        target.drainedAt = this.now + DRAIN_MS;
        break;
      case 'fail':
        assert.ok(target, `fail of an unknown replica ${step.id}`);
        target.state = 'failed';
        break;
      case 'rollout': {
        assert.ok(this.rollout, `a rollout step (${step.to}) with no rollout`);
        assert.notEqual(step.to, 'running', 'the planner never resumes a rollout');
        const t = planned(this.workload, { to: step.to as PlannedChange['to'], reason: step.reason }, this.now, null);
        assert.ok(t, `the transition to ${step.to} applies`);
        this.workload = t.next;
        if (!t.next.rollout) this.outcome = t.next.history.at(-1)!.state;
        break;
      }
    }
  }

  /** Passes until the planner has nothing more to do at this time. */
  settle(): Plan {
    for (let i = 0; i < 50; i++) {
      const p = this.pass();
      if (p.steps.length === 0) return p;
    }
    assert.fail(`the planner never settled at t+${this.now - T0}`);
  }

  /** Moves the clock to the next thing that happens (a replica's change or the planner's wakeAt). */
  advance(wakeAt: number | null): boolean {
    const times: number[] = [];
    for (const r of this.replicas) {
      if (r.state === 'pending' && r.startsAt !== null) times.push(r.startsAt);
      if (r.state === 'starting' && r.readyBy !== null) times.push(r.readyBy);
      if (r.state === 'starting' && r.failsAt !== null) times.push(r.failsAt);
      if (r.state === 'draining' && r.drainedAt !== null) times.push(r.drainedAt);
    }
    if (wakeAt !== null) times.push(wakeAt);
    const future = times.filter((t) => t > this.now);
    if (future.length === 0) return false;
    this.now = Math.min(...future);
    for (const r of this.replicas) {
      if (r.state === 'pending' && r.startsAt !== null && r.startsAt <= this.now) r.state = 'starting';
      if (r.state === 'starting' && r.failsAt !== null && r.failsAt <= this.now) r.state = 'failed';
      if (r.state === 'starting' && r.readyBy !== null && r.readyBy <= this.now) {
        r.state = 'ready';
        r.readyAt = this.now;
      }
      if (r.state === 'draining' && r.drainedAt !== null && r.drainedAt <= this.now) r.state = 'stopped';
    }
    return true;
  }

  /** Runs until the rollout ends (or nothing more can happen, or `until` says stop). */
  run(until: (w: World) => boolean = (w) => w.rollout === null): void {
    for (let i = 0; i < 500; i++) {
      const p = this.settle();
      if (until(this)) return;
      if (!this.advance(p.wakeAt)) return;
    }
    assert.fail('the simulation did not end');
  }

  stepsOf(kind: Step['kind']): Event[] {
    return this.events.filter((e) => e.step.kind === kind);
  }
}

const readyAfter = (ms: number) => (): Behaviour => ({ ready: ms });

// ---- the tests ------------------------------------------------------------------------------------

describe('planner', () => {
  describe('steady state', () => {
    it('launches every missing replica at once when nothing old is left', () => {
      const p = plan(input({ desired: 3 }));
      assert.deepEqual(p.steps, [{ kind: 'launch', count: 3 }]);
      assert.equal(p.wakeAt, null);
    });

    it('launches only the missing ones', () => {
      const p = plan(input({ desired: 3, replicas: [rep('a', 2, 'ready'), rep('b', 2, 'starting', { createdAt: T0 - 1000 })] }));
      assert.deepEqual(launchSteps(p), [{ kind: 'launch', count: 1 }]);
      assert.deepEqual(stops(p), []);
    });

    it('replaces failed and stopped replicas (they no longer count)', () => {
      const p = plan(
        input({
          desired: 2,
          replicas: [rep('a', 2, 'ready'), rep('b', 2, 'failed'), rep('c', 2, 'stopped'), rep('d', 2, 'draining')],
        }),
      );
      assert.equal(launched(p), 1);
    });

    it('does nothing when every replica is there and ready', () => {
      const p = plan(input({ desired: 2, replicas: [rep('a', 2, 'ready'), rep('b', 2, 'ready')] }));
      assert.deepEqual(p, { steps: [], wakeAt: null });
    });

    it('counts pending and starting replicas as there (no double launch)', () => {
      const p = plan(
        input({
          desired: 2,
          replicas: [rep('a', 2, 'pending', { createdAt: T0 }), rep('b', 2, 'starting', { createdAt: T0 - 10 })],
        }),
      );
      assert.equal(launched(p), 0);
      assert.deepEqual(stops(p), []);
    });
  });

  describe('rollout one at a time: surge not written and no room to spare (or `surge 1`), unavailable 0', () => {
    const running = rollout('running', 1, 2, T0);

    it('first launches exactly one new replica and stops nothing', () => {
      const p = plan(input({ rollout: running, replicas: oldReady() }));
      assert.deepEqual(p.steps, [{ kind: 'launch', count: 1 }]);
    });

    it('launches nothing more while the new replica is not ready', () => {
      for (const state of ['pending', 'starting'] as const) {
        const p = plan(input({ rollout: running, replicas: [...oldReady(), rep('new1', 2, state, { createdAt: T0 })] }));
        assert.equal(launched(p), 0, state);
        assert.deepEqual(stops(p), [], state);
      }
    });

    it('retires the oldest ready old replica once a new one is ready, and launches the next', () => {
      const replicas = [rep('old3', 1, 'ready', { createdAt: T0 - 3000 }), rep('old1', 1, 'ready', { createdAt: T0 - 9000 }), rep('old2', 1, 'ready', { createdAt: T0 - 6000 })];
      const p = plan(input({ rollout: running, replicas: [...replicas, rep('new1', 2, 'ready', { createdAt: T0 - 500, readyAt: T0 - 100 })] }));
      assert.deepEqual(stops(p), [{ kind: 'stop', id: 'old1', why: 'replaced' }]);
      assert.equal(launched(p), 1);
      assert.deepEqual(transitions(p), []);
    });

    it('retires the oldest generation first', () => {
      const replicas = [
        rep('g0', 0, 'ready', { createdAt: T0 - 1000 }),
        rep('g1', 1, 'ready', { createdAt: T0 - 9000 }),
        rep('g1b', 1, 'ready', { createdAt: T0 - 8000 }),
        rep('new1', 2, 'ready', { createdAt: T0 - 500, readyAt: T0 - 100 }),
      ];
      const p = plan(input({ rollout: running, replicas }));
      assert.deepEqual(stoppedIds(p), ['g0']);
    });

    it('ends in succeeded once all new replicas are available and nothing old is left', () => {
      const news = [1, 2, 3].map((i) => rep(`new${i}`, 2, 'ready'));
      const p = plan(input({ rollout: running, replicas: [...news, rep('old1', 1, 'stopped')] }));
      assert.deepEqual(p.steps, [{ kind: 'rollout', to: 'succeeded', reason: null }]);
    });

    it('does not end while an old replica is still draining', () => {
      const news = [1, 2, 3].map((i) => rep(`new${i}`, 2, 'ready'));
      const p = plan(input({ rollout: running, replicas: [...news, rep('old1', 1, 'draining')] }));
      assert.deepEqual(p.steps, []);
    });

    it('stops old replicas that are not ready at once', () => {
      const p = plan(
        input({
          rollout: running,
          replicas: [rep('old1', 1, 'ready'), rep('old2', 1, 'ready'), rep('old3', 1, 'starting'), rep('old4', 1, 'pending')],
        }),
      );
      assert.deepEqual(
        stops(p).map((s) => [s.id, s.why]),
        [
          ['old3', 'replaced'],
          ['old4', 'replaced'],
        ],
      );
      // The two retired no longer count: desired 3 + surge 1 - 2 old left = 2 launches.
      assert.equal(launched(p), 2);
    });

    it('runs the whole rollout one replica at a time, never below the desired ready count', () => {
      const world = new World(policy(), { desired: 3, from: 1, to: 2, behaviour: readyAfter(1000) }).check((w) => {
        assert.ok(w.ready() >= 3, `only ${w.ready()} ready at t+${w.now - T0}`);
        const newUnready = w.count((r) => r.generation === 2 && (r.state === 'pending' || r.state === 'starting'));
        assert.ok(newUnready <= 1, `${newUnready} new replicas starting at once at t+${w.now - T0}`);
        const live = w.count((r) => r.state === 'pending' || r.state === 'starting' || r.state === 'ready');
        assert.ok(live <= 4, `${live} live replicas (desired 3 + surge 1) at t+${w.now - T0}`);
      });
      world.run();
      assert.equal(world.outcome, 'succeeded');
      for (const e of world.stepsOf('launch')) assert.deepEqual(e.step, { kind: 'launch', count: 1 });
      assert.equal(world.stepsOf('launch').length, 3);
      const oldStops = world.stepsOf('stop');
      assert.equal(oldStops.length, 3);
      for (const e of oldStops) {
        assert.equal(e.target?.generation, 1);
        assert.equal((e.step as Extract<Step, { kind: 'stop' }>).why, 'replaced');
      }
      // An old replica is retired only after a new one is ready: the first stop waits for the first readiness.
      assert.ok(oldStops[0]!.at >= T0 + START_MS + 1000, `first old replica stopped at t+${oldStops[0]!.at - T0}`);
      assert.equal(world.ready(2), 3);
      assert.equal(world.count((r) => r.generation === 1 && r.state !== 'stopped'), 0);
      assert.deepEqual(world.stepsOf('fail'), []);
    });

    it('the same with 5 replicas and replicas that get ready at different speeds', () => {
      const speeds = [700, 100, 1300, 50, 400];
      const world = new World(policy(), { desired: 5, from: 1, to: 2, behaviour: (_g, i) => ({ ready: speeds[i % speeds.length]! }) }).check((w) => {
        assert.ok(w.ready() >= 5, `only ${w.ready()} ready at t+${w.now - T0}`);
        assert.ok(w.count((r) => r.generation === 2 && (r.state === 'pending' || r.state === 'starting')) <= 1);
      });
      world.run();
      assert.equal(world.outcome, 'succeeded');
      assert.equal(world.ready(2), 5);
    });
  });

  describe('surge not written: as many new replicas at once as the nodes have room for', () => {
    const running = rollout('running', 1, 2, T0);
    const live = (w: World) => w.count((r) => r.state === 'pending' || r.state === 'starting' || r.state === 'ready');
    const placed = (w: World) => live(w) + w.count((r) => r.state === 'draining');

    it('with room for all, launches every new replica at once and stops nothing yet', () => {
      const p = plan(input({ rollout: running, replicas: oldReady(), room: () => Infinity }));
      assert.deepEqual(p.steps, [{ kind: 'launch', count: 3 }]);
    });

    it('with room for 2 of 3, launches 2', () => {
      const p = plan(input({ rollout: running, replicas: oldReady(), room: () => 2 }));
      assert.deepEqual(p.steps, [{ kind: 'launch', count: 2 }]);
    });

    it('with no room, still launches 1: a rollout never waits or fails for asking more than fits', () => {
      const p = plan(input({ rollout: running, replicas: oldReady(), room: () => 0 }));
      assert.deepEqual(p.steps, [{ kind: 'launch', count: 1 }]);
    });

    it('counts the new replicas already placed: room left 0 after 2 launched, nothing more until one is ready', () => {
      const starting = [rep('new1', 2, 'starting', { createdAt: T0 }), rep('new2', 2, 'starting', { createdAt: T0 })];
      const p = plan(input({ rollout: running, replicas: [...oldReady(), ...starting], room: () => 0 }));
      assert.deepEqual(p.steps, []);
    });

    it('does not ask for room when nothing old is left (scaling up, a first start)', () => {
      const p = plan(input({ desired: 3, replicas: [], room: roomNotAsked }));
      assert.deepEqual(p.steps, [{ kind: 'launch', count: 3 }]);
    });

    it('a written surge is honoured exactly and room is never asked: surge 1 launches 1, surge 2 launches 2', () => {
      assert.deepEqual(plan(input({ policy: policy('surge 1'), rollout: running, replicas: oldReady(), room: roomNotAsked })).steps, [{ kind: 'launch', count: 1 }]);
      assert.deepEqual(plan(input({ policy: policy('surge 2'), rollout: running, replicas: oldReady(), room: roomNotAsked })).steps, [{ kind: 'launch', count: 2 }]);
    });

    it('a whole rollout with room for all: the new replicas start together, no old one stops before a new one is ready', () => {
      const world = new World(policy(), { desired: 3, from: 1, to: 2, behaviour: readyAfter(1000), room: () => Infinity }).check((w) => {
        assert.ok(w.ready() >= 3, `only ${w.ready()} ready at t+${w.now - T0}`);
      });
      world.run();
      assert.equal(world.outcome, 'succeeded');
      assert.deepEqual(
        world.stepsOf('launch').map((e) => e.step),
        [{ kind: 'launch', count: 3 }],
      );
      for (const e of world.stepsOf('stop')) assert.ok(e.at >= T0 + START_MS + 1000, `an old replica stopped at t+${e.at - T0}, before any new one was ready`);
      // One start and one drain, where one at a time takes three of each.
      assert.ok(world.now <= T0 + START_MS + 1000 + DRAIN_MS, `ended at t+${world.now - T0}`);
    });

    it('a whole rollout with room for 5 in all: more than 5 only as far as `surge 1` goes, never below 3 ready', () => {
      const world = new World(policy(), { desired: 3, from: 1, to: 2, behaviour: readyAfter(500), room: (w) => 5 - placed(w) }).check((w) => {
        assert.ok(w.ready() >= 3, `only ${w.ready()} ready at t+${w.now - T0}`);
        // Draining replicas still take room; `surge 1` (the floor) does not count them, as Kubernetes' maxSurge does not.
        assert.ok(placed(w) <= 5 || live(w) <= 4, `${placed(w)} placed, ${live(w)} live at t+${w.now - T0}`);
      });
      world.run();
      assert.equal(world.outcome, 'succeeded');
      assert.deepEqual(world.stepsOf('launch')[0]!.step, { kind: 'launch', count: 2 });
      assert.equal(world.ready(2), 3);
    });

    it('no room to spare plans exactly what a written `surge 1` does', () => {
      const run = (pol: RolloutPolicy, room: () => number) => {
        const w = new World(pol, { desired: 3, from: 1, to: 2, behaviour: readyAfter(700), room });
        w.run();
        return w.events;
      };
      assert.deepEqual(run(policy(), () => 0), run(policy('surge 1'), roomNotAsked));
    });

    it('the budget holds with unavailable written too: surge not written, unavailable 1, room for all', () => {
      const world = new World(policy('unavailable 1'), { desired: 3, from: 1, to: 2, behaviour: readyAfter(400), room: () => Infinity }).check((w) => {
        assert.ok(w.ready() >= 2, `only ${w.ready()} ready at t+${w.now - T0}`);
        assert.ok(live(w) <= 6);
      });
      world.run();
      assert.equal(world.outcome, 'succeeded');
    });
  });

  describe('rollout budgets', () => {
    it('surge 0 / unavailable 1: stops an old replica first, then launches one', () => {
      const p = plan(input({ policy: policy('surge 0', 'unavailable 1'), rollout: rollout('running', 1, 2, T0), replicas: oldReady() }));
      assert.deepEqual(p.steps, [
        { kind: 'stop', id: 'old1', why: 'replaced' },
        { kind: 'launch', count: 1 },
      ]);
    });

    it('surge 0 / unavailable 1: never more than desired live, never fewer than desired - 1 ready', () => {
      const world = new World(policy('surge 0', 'unavailable 1'), { desired: 3, from: 1, to: 2, behaviour: readyAfter(800) }).check((w) => {
        assert.ok(w.ready() >= 2, `only ${w.ready()} ready at t+${w.now - T0}`);
        const live = w.count((r) => r.state === 'pending' || r.state === 'starting' || r.state === 'ready');
        assert.ok(live <= 3, `${live} live at t+${w.now - T0}`);
      });
      world.run();
      assert.equal(world.outcome, 'succeeded');
      assert.equal(world.ready(2), 3);
      // The first step of all was a stop, before any launch.
      assert.equal(world.events[0]!.step.kind, 'stop');
    });

    it('surge 2: launches two new replicas at once', () => {
      const p = plan(input({ policy: policy('surge 2'), rollout: rollout('running', 1, 2, T0), replicas: oldReady() }));
      assert.deepEqual(p.steps, [{ kind: 'launch', count: 2 }]);
    });

    it('surge 2: the whole rollout keeps every old replica until replaced and never exceeds desired + 2', () => {
      const world = new World(policy('surge 2'), { desired: 3, from: 1, to: 2, behaviour: readyAfter(500) }).check((w) => {
        assert.ok(w.ready() >= 3);
        const live = w.count((r) => r.state === 'pending' || r.state === 'starting' || r.state === 'ready');
        assert.ok(live <= 5, `${live} live`);
      });
      world.run();
      assert.equal(world.outcome, 'succeeded');
      assert.deepEqual(world.stepsOf('launch')[0]!.step, { kind: 'launch', count: 2 });
    });

    it('surge 3 on 3 replicas: replaces them all at once', () => {
      const p = plan(input({ policy: policy('surge 3'), rollout: rollout('running', 1, 2, T0), replicas: oldReady() }));
      assert.deepEqual(p.steps, [{ kind: 'launch', count: 3 }]);
    });

    it('old replicas missing at the start make room within the surge budget', () => {
      // Only two old replicas are up (one crashed): desired 3 + surge 1 - 2 live = 2 launches.
      const p = plan(input({ rollout: rollout('running', 1, 2, T0), replicas: oldReady(2) }));
      assert.equal(launched(p), 2);
      assert.deepEqual(stops(p), []);
    });
  });

  describe('healthy-for (minimum healthy time)', () => {
    const pol = policy('healthy-for 5s');

    it('a ready new replica is not available until healthy-for has passed; wakeAt says when', () => {
      const readyAt = T0 - 2000;
      const p = plan(input({ policy: pol, rollout: rollout('running', 1, 2, T0 - 10_000), replicas: [...oldReady(), rep('new1', 2, 'ready', { createdAt: T0 - 3000, readyAt })] }));
      assert.deepEqual(p.steps, []);
      assert.equal(p.wakeAt, readyAt + 5000);
    });

    it('once healthy-for has passed, an old replica is retired', () => {
      const readyAt = T0 - 5000;
      const p = plan(input({ policy: pol, rollout: rollout('running', 1, 2, T0 - 10_000), replicas: [...oldReady(), rep('new1', 2, 'ready', { createdAt: T0 - 6000, readyAt })] }));
      assert.deepEqual(stoppedIds(p), ['old1']);
      assert.equal(launched(p), 1);
    });

    it('the rollout does not succeed before the last replica has been healthy long enough', () => {
      const news = [rep('n1', 2, 'ready', { readyAt: T0 - 60_000 }), rep('n2', 2, 'ready', { readyAt: T0 - 60_000 }), rep('n3', 2, 'ready', { readyAt: T0 - 1000 })];
      const early = plan(input({ policy: pol, rollout: rollout('running', 1, 2, T0 - 100_000), replicas: news }));
      assert.deepEqual(early.steps, []);
      assert.equal(early.wakeAt, T0 + 4000);
      const later = plan(input({ now: T0 + 4000, policy: pol, rollout: rollout('running', 1, 2, T0 - 100_000), replicas: news }));
      assert.deepEqual(later.steps, [{ kind: 'rollout', to: 'succeeded', reason: null }]);
    });

    it('a simulated rollout with healthy-for holds each old replica for 5 s after its replacement is ready', () => {
      const world = new World(pol, { desired: 3, from: 1, to: 2, behaviour: readyAfter(200) }).check((w) => assert.ok(w.ready() >= 3));
      world.run();
      assert.equal(world.outcome, 'succeeded');
      const stopsAt = world.stepsOf('stop').map((e) => e.at - T0);
      // new0 ready at 250 → first stop at 5250; new1 launched then, ready at 5500 → stop at 10500, …
      assert.deepEqual(stopsAt, [5250, 10500, 15750]);
    });
  });

  describe('a backend port taken by another program', () => {
    it('the replica that could not launch is retired (not failed) and replaced in the same pass', () => {
      const p = plan(input({ desired: 2, replicas: [rep('a', 2, 'ready'), rep('b', 2, 'pending', { portTaken: true })] }));
      assert.deepEqual(stops(p), [{ kind: 'stop', id: 'b', why: 'port-taken' }]);
      assert.equal(launched(p), 1);
    });

    it('does not fail a rollout', () => {
      const p = plan(input({ desired: 1, rollout: rollout('running', 1, 2, T0 - 1000), replicas: [rep('o', 1, 'ready'), rep('n', 2, 'pending', { portTaken: true, createdAt: T0 - 10 })] }));
      assert.deepEqual(transitions(p), []);
      assert.equal(launched(p), 1);
    });
  });

  describe('deadlines', () => {
    const deadline = 120_000; // the default

    it('a rollout that cannot place a replica fails once its deadline passed, with the reason (not waiting for ever)', () => {
      const unplaced = { since: T0 - deadline, reason: 'no node fits (1 node: no GPU)' };
      const p = plan(input({ desired: 2, rollout: rollout('running', 1, 2, T0 - 200_000), replicas: [rep('o1', 1, 'ready'), rep('o2', 1, 'ready')], unplaced }));
      assert.deepEqual(p.steps, [{ kind: 'rollout', to: 'rolling-back', reason: 'no replica could be placed for 2 min 0 s: no node fits (1 node: no GPU)' }]);
      const paused = plan(input({ desired: 2, policy: policy('on-failure pause'), rollout: rollout('running', 1, 2, T0 - 200_000), replicas: [rep('o1', 1, 'ready')], unplaced }));
      assert.deepEqual(paused.steps.map((s) => (s.kind === 'rollout' ? s.to : s.kind)), ['paused']);
    });

    it('before that deadline it keeps trying and wakes at the deadline; a rollout that started later counts from its start', () => {
      const early = plan(input({ desired: 1, rollout: rollout('running', 1, 2, T0 - 200_000), replicas: [rep('o', 1, 'ready')], unplaced: { since: T0 - 1000, reason: 'x' } }));
      assert.equal(launched(early), 1, 'still asks for the replica');
      assert.equal(early.wakeAt, T0 - 1000 + deadline);
      const later = plan(input({ desired: 1, rollout: rollout('running', 1, 2, T0 - 5000), replicas: [rep('o', 1, 'ready')], unplaced: { since: T0 - 500_000, reason: 'x' } }));
      assert.equal(later.wakeAt, T0 - 5000 + deadline, 'unplaceable before this rollout: its own deadline counts');
      assert.ok(!later.steps.some((s) => s.kind === 'rollout'));
    });

    it('on-failure continue, or no rollout: unplaceable replicas wait (the problem is shown), nothing fails', () => {
      const unplaced = { since: T0 - 10 * deadline, reason: 'x' };
      const cont = plan(input({ desired: 1, policy: policy('on-failure continue'), rollout: rollout('running', 1, 2, T0 - 10 * deadline), replicas: [], unplaced }));
      assert.ok(!cont.steps.some((s) => s.kind === 'rollout'));
      const steady = plan(input({ desired: 1, replicas: [], unplaced }));
      assert.deepEqual(steady.steps, [{ kind: 'launch', count: 1 }]);
    });

    it('a starting replica past its deadline gets a fail step', () => {
      const p = plan(input({ desired: 1, replicas: [rep('s', 2, 'starting', { createdAt: T0 - deadline })] }));
      assert.deepEqual(fails(p), [{ kind: 'fail', id: 's', why: 'deadline' }]);
    });

    it('a pending replica past its deadline gets a fail step too', () => {
      const p = plan(input({ desired: 1, replicas: [rep('p', 2, 'pending', { createdAt: T0 - deadline - 1 })] }));
      assert.deepEqual(fails(p), [{ kind: 'fail', id: 'p', why: 'deadline' }]);
    });

    it('before the deadline: no fail step, and wakeAt is the earliest deadline', () => {
      const p = plan(
        input({
          desired: 3,
          replicas: [
            rep('a', 2, 'starting', { createdAt: T0 - 1000 }),
            rep('b', 2, 'pending', { createdAt: T0 - 5000 }),
            rep('c', 2, 'starting', { createdAt: T0 - 2000 }),
          ],
        }),
      );
      assert.deepEqual(p.steps, []);
      assert.equal(p.wakeAt, T0 - 5000 + deadline);
    });

    it('uses the manifest deadline', () => {
      const p = plan(input({ desired: 1, policy: policy('deadline 10s'), replicas: [rep('a', 2, 'starting', { createdAt: T0 - 3000 })] }));
      assert.equal(p.wakeAt, T0 + 7000);
      const late = plan(input({ now: T0 + 7000, desired: 1, policy: policy('deadline 10s'), replicas: [rep('a', 2, 'starting', { createdAt: T0 - 3000 })] }));
      assert.deepEqual(fails(late), [{ kind: 'fail', id: 'a', why: 'deadline' }]);
    });

    it('ready replicas and replicas of other generations have no deadline', () => {
      const p = plan(
        input({
          desired: 1,
          rollout: rollout('running', 1, 2, T0 - 500_000),
          replicas: [rep('new', 2, 'ready', { createdAt: T0 - 500_000 }), rep('old', 1, 'starting', { createdAt: T0 - 500_000 })],
        }),
      );
      assert.deepEqual(fails(p), []);
    });

    it('a replica failed by deadline is replaced in a later pass, not in the same one (so the backoff it causes applies)', () => {
      const p = plan(input({ desired: 1, replicas: [rep('s', 2, 'starting', { createdAt: T0 - deadline })] }));
      assert.deepEqual(p.steps, [{ kind: 'fail', id: 's', why: 'deadline' }]);
      // The next pass sees it failed and launches its replacement, subject to launchNotBefore.
      const next = plan(input({ desired: 1, replicas: [rep('s', 2, 'failed', { createdAt: T0 - deadline })], launchNotBefore: T0 + 1000 }));
      assert.deepEqual(next, { steps: [], wakeAt: T0 + 1000 });
      const after = plan(input({ now: T0 + 1000, desired: 1, replicas: [rep('s', 2, 'failed', { createdAt: T0 - deadline })], launchNotBefore: T0 + 1000 }));
      assert.deepEqual(after.steps, [{ kind: 'launch', count: 1 }]);
    });

    it('a new replica that never gets ready fails at its deadline and the rollout rolls back', () => {
      const world = new World(policy('deadline 30s'), { desired: 3, from: 1, to: 2, behaviour: () => 'hang' }).check((w) => assert.ok(w.ready(1) >= 3));
      world.run();
      assert.equal(world.outcome, 'rolled-back');
      const failEvents = world.stepsOf('fail');
      assert.equal(failEvents.length, 1);
      assert.equal(failEvents[0]!.at, T0 + 30_000);
      assert.equal(world.ready(1), 3);
      assert.equal(world.stepsOf('stop').filter((e) => e.target?.generation === 1).length, 0);
    });
  });

  describe('failures during a rollout', () => {
    const failedNew = (createdAt = T0 + 10) => rep('new1', 2, 'failed', { createdAt });
    const at = (onFailure: string, replicas: PlanReplica[]) =>
      plan(input({ now: T0 + 1000, policy: policy(`on-failure ${onFailure}`), rollout: rollout('running', 1, 2, T0), replicas }));

    it('on-failure rollback (the default): rolling-back, and nothing else', () => {
      const p = plan(input({ now: T0 + 1000, rollout: rollout('running', 1, 2, T0), replicas: [...oldReady(), failedNew()] }));
      assert.deepEqual(p.steps, [{ kind: 'rollout', to: 'rolling-back', reason: 'a new replica failed' }]);
      const explicit = at('rollback', [...oldReady(), failedNew()]);
      assert.deepEqual(explicit.steps, p.steps);
    });

    it('on-failure pause: paused, and nothing else', () => {
      const p = at('pause', [...oldReady(), failedNew()]);
      assert.deepEqual(p.steps, [{ kind: 'rollout', to: 'paused', reason: 'a new replica failed' }]);
    });

    it('on-failure continue: no rollout transition; the failed replica is replaced and the rollout goes on', () => {
      const p = at('continue', [...oldReady(), failedNew()]);
      assert.deepEqual(transitions(p), []);
      assert.deepEqual(stops(p), []);
      assert.equal(launched(p), 1);
    });

    it('a deadline failure triggers the policy in the same pass', () => {
      const p = plan(
        input({
          now: T0 + 120_000,
          rollout: rollout('running', 1, 2, T0),
          replicas: [...oldReady(), rep('new1', 2, 'starting', { createdAt: T0 })],
        }),
      );
      assert.deepEqual(p.steps, [
        { kind: 'fail', id: 'new1', why: 'deadline' },
        { kind: 'rollout', to: 'rolling-back', reason: 'a new replica failed' },
      ]);
    });

    it('failures of replicas created before countFailuresSince are ignored', () => {
      // Resumed at T0: the replica that failed before the pause no longer counts.
      for (const onFailure of ['rollback', 'pause']) {
        const p = at(onFailure, [...oldReady(), failedNew(T0 - 1)]);
        assert.deepEqual(transitions(p), [], onFailure);
        assert.equal(launched(p), 1, onFailure);
      }
      // Created exactly at countFailuresSince: counted.
      assert.deepEqual(transitions(at('rollback', [...oldReady(), failedNew(T0)])).map((s) => s.to), ['rolling-back']);
    });

    it('failures of old-generation replicas do not trigger the policy', () => {
      const p = at('rollback', [rep('old1', 1, 'failed', { createdAt: T0 + 5 }), rep('old2', 1, 'ready'), rep('old3', 1, 'ready')]);
      assert.deepEqual(transitions(p), []);
    });

    for (const onFailure of ['rollback', 'pause', 'continue']) {
      it(`never stops a healthy old replica because a new one failed (on-failure ${onFailure})`, () => {
        // One old replica was already replaced by a ready new one; the second new one failed.
        const replicas = [
          rep('old1', 1, 'stopped'),
          rep('old2', 1, 'ready'),
          rep('old3', 1, 'ready'),
          rep('new1', 2, 'ready', { createdAt: T0 + 1, readyAt: T0 + 100 }),
          rep('new2', 2, 'failed', { createdAt: T0 + 200 }),
        ];
        const p = at(onFailure, replicas);
        for (const s of stops(p)) assert.ok(!['old2', 'old3'].includes(s.id), `stopped ${s.id}: ${JSON.stringify(p.steps)}`);
        // And not with a deadline failure either.
        const q = plan(
          input({
            now: T0 + 200_000,
            policy: policy(`on-failure ${onFailure}`),
            rollout: rollout('running', 1, 2, T0),
            replicas: [...replicas.slice(0, 4), rep('new2', 2, 'starting', { createdAt: T0 + 200 })],
          }),
        );
        for (const s of stops(q)) assert.ok(!['old2', 'old3'].includes(s.id), `stopped ${s.id}: ${JSON.stringify(q.steps)}`);
      });
    }

    it('on-failure continue, simulated: a new replica that fails is retried and the rollout succeeds without losing capacity', () => {
      const world = new World(policy('on-failure continue'), {
        desired: 3,
        from: 1,
        to: 2,
        behaviour: (g, i) => (g === 2 && i === 1 ? { failAfter: 300 } : { ready: 500 }),
      }).check((w) => assert.ok(w.ready() >= 3, `only ${w.ready()} ready at t+${w.now - T0}`));
      world.run();
      assert.equal(world.outcome, 'succeeded');
      assert.deepEqual(world.stepsOf('rollout').map((e) => (e.step as { to: string }).to), ['succeeded']);
      assert.equal(world.ready(2), 3);
      assert.equal(world.count((r) => r.generation === 2 && r.state === 'failed'), 1);
    });

    it('on-failure rollback, simulated: the second new replica fails; generation 1 is restored to full strength', () => {
      const world = new World(policy(), {
        desired: 3,
        from: 1,
        to: 2,
        behaviour: (g, i) => (g === 2 && i === 1 ? { failAfter: 300 } : { ready: 500 }),
      }).check((w) => assert.ok(w.ready() >= 3, `only ${w.ready()} ready at t+${w.now - T0}`));
      world.run();
      assert.equal(world.outcome, 'rolled-back');
      const failAt = T0 + 550 + START_MS + 300; // new0 ready at 550, new1 launched then, fails 350 later
      // No generation-1 replica was stopped after the failure.
      for (const e of world.stepsOf('stop')) {
        if (e.target?.generation === 1) assert.ok(e.at < failAt, `a generation-1 replica was stopped at t+${e.at - T0}`);
      }
      // The ready new replica was retired as rolled-back once a generation-1 replacement was ready.
      const newStops = world.stepsOf('stop').filter((e) => e.target?.generation === 2);
      assert.deepEqual(
        newStops.map((e) => (e.step as { why: string }).why),
        ['rolled-back'],
      );
      assert.equal(world.ready(1), 3);
      assert.equal(world.count((r) => r.generation === 2 && (r.state === 'pending' || r.state === 'starting' || r.state === 'ready')), 0);
    });

    it('on-failure pause, simulated: the rollout pauses and then holds still', () => {
      const world = new World(policy('on-failure pause'), {
        desired: 3,
        from: 1,
        to: 2,
        behaviour: (g, i) => (g === 2 && i === 1 ? { failAfter: 300 } : { ready: 500 }),
      });
      world.run((w) => w.rollout?.state === 'paused');
      assert.equal(world.rollout?.state, 'paused');
      const before = world.events.length;
      // Time passes: nothing is launched or retired.
      for (const t of [1, 10_000, 600_000]) {
        world.now += t;
        const p = world.pass();
        assert.deepEqual(p.steps, [], `after ${t} ms`);
      }
      assert.equal(world.events.length, before);
      assert.equal(world.ready(), 3);
    });
  });

  describe('rolling back', () => {
    // The reconciler sets the workload's generation back to fromGeneration.
    const back = (replicas: PlanReplica[], over: Partial<PlanInput> = {}) =>
      plan(input({ generation: 1, rollout: rollout('rolling-back', 1, 2, T0), replicas, ...over }));

    it('stops new-generation replicas that are not ready at once, with why rolled-back', () => {
      const p = back([...oldReady(), rep('n1', 2, 'starting', { createdAt: T0 + 10 }), rep('n2', 2, 'pending', { createdAt: T0 + 20 })]);
      assert.deepEqual(
        stops(p).map((s) => [s.id, s.why]),
        [
          ['n1', 'rolled-back'],
          ['n2', 'rolled-back'],
        ],
      );
    });

    it('keeps a ready new replica until the old generation is back to full strength', () => {
      const replicas = [rep('old2', 1, 'ready'), rep('old3', 1, 'ready'), rep('n1', 2, 'ready', { createdAt: T0 + 1 })];
      const p = back(replicas);
      assert.deepEqual(stops(p), []);
      assert.deepEqual(launchSteps(p), [{ kind: 'launch', count: 1 }]);
      const restored = back([...replicas, rep('old4', 1, 'ready', { createdAt: T0 + 2000 })]);
      assert.deepEqual(stops(restored), [{ kind: 'stop', id: 'n1', why: 'rolled-back' }]);
      assert.deepEqual(transitions(restored), []);
    });

    it('ends in rolled-back once only the old generation is left, available and complete', () => {
      const p = back([...oldReady(), rep('n1', 2, 'stopped'), rep('n2', 2, 'failed')]);
      assert.deepEqual(p.steps, [{ kind: 'rollout', to: 'rolled-back', reason: null }]);
    });

    it('does not end while a new replica is still draining', () => {
      const p = back([...oldReady(), rep('n1', 2, 'draining')]);
      assert.deepEqual(p.steps, []);
    });

    it('does not fail the rollback because of the failed new replicas', () => {
      const p = back([...oldReady(), rep('n1', 2, 'failed', { createdAt: T0 + 10 })]);
      assert.deepEqual(p.steps.map((s) => s.kind), ['rollout']);
      assert.equal((p.steps[0] as { to: string }).to, 'rolled-back');
    });

    it('an abort half way through a simulated rollout restores the old generation, never below desired', () => {
      const world = new World(policy(), { desired: 3, from: 1, to: 2, behaviour: readyAfter(400) }).check((w) =>
        assert.ok(w.ready() >= 3, `only ${w.ready()} ready at t+${w.now - T0}`),
      );
      world.run((w) => w.ready(2) === 2);
      assert.equal(world.outcome, null);
      // The user's abort, through the Conductor's own transition: rolling back, the generation set back.
      world.workload = byUser(world.workload, 'abort', world.now)!.next;
      assert.equal(world.generation, 1);
      const abortIndex = world.events.length;
      world.run();
      assert.equal(world.outcome, 'aborted');
      assert.equal(world.ready(1), 3);
      assert.equal(world.count((r) => r.generation === 2 && r.state !== 'stopped'), 0);
      const after = world.events.slice(abortIndex).filter((e) => e.step.kind === 'stop');
      assert.ok(after.length >= 2);
      for (const e of after) {
        assert.equal(e.target?.generation, 2, 'only new replicas are stopped after the abort');
        assert.equal((e.step as { why: string }).why, 'rolled-back');
      }
    });

    it('an aborted rollout (rolling-back with every new replica ready) is rolled back without losing capacity', () => {
      // Surge 1 had replaced two of three; abort → generation 1 again.
      const replicas = [rep('old3', 1, 'ready'), rep('n1', 2, 'ready', { createdAt: T0 + 1 }), rep('n2', 2, 'ready', { createdAt: T0 + 2 })];
      const p = back(replicas);
      assert.deepEqual(stops(p), []);
      assert.equal(launched(p), 1); // 3 + surge 1 - (1 current + 2 old) = 1
    });
  });

  describe('paused', () => {
    const paused = rollout('paused', 1, 2, T0);

    it('launches nothing and retires nothing', () => {
      const replicas = [rep('old1', 1, 'stopped'), rep('old2', 1, 'ready'), rep('old3', 1, 'ready'), rep('old4', 1, 'starting'), rep('n1', 2, 'ready', { createdAt: T0 })];
      const p = plan(input({ now: T0 + 100_000, rollout: paused, replicas }));
      assert.equal(launched(p), 0);
      assert.deepEqual(stops(p), []);
      assert.deepEqual(transitions(p), []);
    });

    it('does not replace failed replicas while paused', () => {
      const p = plan(input({ rollout: paused, replicas: [...oldReady(), rep('n1', 2, 'failed', { createdAt: T0 })] }));
      assert.deepEqual(p.steps, []);
    });

    it('after resume (running again, countFailuresSince moved), it goes on', () => {
      const p = plan(input({ now: T0 + 5000, rollout: rollout('running', 1, 2, T0 + 5000), replicas: [...oldReady(), rep('n1', 2, 'failed', { createdAt: T0 })] }));
      assert.deepEqual(transitions(p), []);
      assert.equal(launched(p), 1);
    });
  });

  describe('scaling', () => {
    it('stops excess replicas least useful first: pending, then starting, then the newest ready', () => {
      const replicas = [
        rep('ready-old', 2, 'ready', { createdAt: T0 - 9000 }),
        rep('ready-new', 2, 'ready', { createdAt: T0 - 1000 }),
        rep('starting-old', 2, 'starting', { createdAt: T0 - 3000 }),
        rep('starting-new', 2, 'starting', { createdAt: T0 - 2000 }),
        rep('pending', 2, 'pending', { createdAt: T0 - 8000 }),
        rep('ready-mid', 2, 'ready', { createdAt: T0 - 5000 }),
      ];
      const order = ['pending', 'starting-new', 'starting-old', 'ready-new', 'ready-mid', 'ready-old'];
      for (let desired = 5; desired >= 0; desired--) {
        const p = plan(input({ desired, replicas }));
        assert.deepEqual(stops(p), order.slice(0, 6 - desired).map((id) => ({ kind: 'stop', id, why: 'excess' })), `desired ${desired}`);
        assert.equal(launched(p), 0);
      }
    });

    it('desired 0 stops everything, old and new', () => {
      const replicas = [rep('a', 2, 'ready'), rep('b', 2, 'starting', { createdAt: T0 - 10 }), rep('c', 2, 'pending', { createdAt: T0 - 5 }), rep('old', 1, 'ready')];
      const p = plan(input({ desired: 0, replicas }));
      assert.deepEqual(new Set(stoppedIds(p)), new Set(['a', 'b', 'c', 'old']));
      assert.equal(stops(p).find((s) => s.id === 'a')?.why, 'excess');
      assert.equal(launched(p), 0);
    });

    it('desired 0 with unavailable 0 still stops the old ready replicas', () => {
      const p = plan(input({ desired: 0, rollout: rollout('running', 1, 2, T0), replicas: oldReady() }));
      assert.deepEqual(stoppedIds(p).sort(), ['old1', 'old2', 'old3']);
      assert.equal(launched(p), 0);
    });

    it('a rollout to 0 replicas succeeds once everything is gone', () => {
      const p = plan(input({ desired: 0, rollout: rollout('running', 1, 2, T0), replicas: [rep('old1', 1, 'stopped')] }));
      assert.deepEqual(p.steps, [{ kind: 'rollout', to: 'succeeded', reason: null }]);
    });

    it('scaling down during a rollout retires the surplus old replicas', () => {
      const p = plan(input({ desired: 1, rollout: rollout('running', 1, 2, T0), replicas: oldReady() }));
      assert.deepEqual(stoppedIds(p), ['old1', 'old2']);
      assert.equal(launched(p), 1);
    });
  });

  describe('launch gates', () => {
    it('launchNotBefore in the future defers launches and sets wakeAt', () => {
      const p = plan(input({ desired: 2, launchNotBefore: T0 + 4000 }));
      assert.deepEqual(p, { steps: [], wakeAt: T0 + 4000 });
    });

    it('wakeAt is the earliest of the backoff and a deadline', () => {
      const p = plan(input({ desired: 2, launchNotBefore: T0 + 4000, replicas: [rep('s', 2, 'starting', { createdAt: T0 - 118_000 })] }));
      assert.deepEqual(p, { steps: [], wakeAt: T0 + 2000 });
    });

    it('launchNotBefore now or past allows the launch', () => {
      assert.deepEqual(plan(input({ desired: 1, launchNotBefore: T0 })).steps, [{ kind: 'launch', count: 1 }]);
      assert.deepEqual(plan(input({ desired: 1, launchNotBefore: T0 - 1 })).steps, [{ kind: 'launch', count: 1 }]);
    });

    it('launchNotBefore does not hold back retiring or scaling down', () => {
      const p = plan(input({ desired: 1, launchNotBefore: T0 + 60_000, replicas: [rep('a', 2, 'ready'), rep('b', 2, 'ready', { createdAt: T0 - 1 })] }));
      assert.deepEqual(p.steps, [{ kind: 'stop', id: 'b', why: 'excess' }]);
    });

    it('mayLaunch false launches nothing (and stops nothing that is fine)', () => {
      const p = plan(input({ desired: 3, mayLaunch: false, replicas: [rep('a', 2, 'ready')] }));
      assert.deepEqual(p.steps, []);
      const q = plan(input({ desired: 3, mayLaunch: false, rollout: rollout('running', 1, 2, T0), replicas: oldReady() }));
      assert.deepEqual(q.steps, []);
    });
  });

  describe('jobs', () => {
    const done = (id: string, generation = 2) => rep(id, generation, 'stopped', { completed: true });

    it('completed replicas count toward desired', () => {
      const p = plan(input({ job: true, desired: 3, replicas: [done('a'), done('b')] }));
      assert.deepEqual(p.steps, [{ kind: 'launch', count: 1 }]);
      assert.deepEqual(plan(input({ job: true, desired: 3, replicas: [done('a'), done('b'), done('c')] })).steps, []);
      assert.deepEqual(plan(input({ job: true, desired: 3, replicas: [done('a'), done('b'), rep('c', 2, 'ready')] })).steps, []);
    });

    it('completed replicas of another generation do not count', () => {
      const p = plan(input({ job: true, desired: 2, replicas: [done('a', 1), done('b', 1)] }));
      assert.equal(launched(p), 2);
    });

    it('the completed flag is ignored for services', () => {
      const p = plan(input({ job: false, desired: 2, replicas: [done('a'), done('b')] }));
      assert.equal(launched(p), 2);
    });

    it('a running job beyond the completed count is excess', () => {
      const p = plan(input({ job: true, desired: 2, replicas: [done('a'), done('b'), rep('c', 2, 'ready')] }));
      assert.deepEqual(p.steps, [{ kind: 'stop', id: 'c', why: 'excess' }]);
    });

    it('a job rollout succeeds when the new replicas have completed', () => {
      const p = plan(input({ job: true, desired: 2, rollout: rollout('running', 1, 2, T0), replicas: [done('a'), done('b'), rep('o', 1, 'stopped', { completed: true })] }));
      assert.deepEqual(p.steps, [{ kind: 'rollout', to: 'succeeded', reason: null }]);
    });

    it('a job rollout whose new replica completed retires the old one it replaces', () => {
      const p = plan(input({ job: true, desired: 1, rollout: rollout('running', 1, 2, T0), replicas: [done('a'), rep('o', 1, 'ready')] }));
      assert.deepEqual(stops(p), [{ kind: 'stop', id: 'o', why: 'replaced' }]);
      assert.equal(launched(p), 0);
    });

    it('a job rollout with more completed replicas than desired (scaled down) still ends', () => {
      const p = plan(input({ job: true, desired: 1, rollout: rollout('running', 1, 2, T0), replicas: [done('a'), done('b')] }));
      assert.deepEqual(p.steps, [{ kind: 'rollout', to: 'succeeded', reason: null }]);
    });
  });

  describe('backoffMs', () => {
    it('is 0 with no failures, then doubles from 1 s and is capped at 60 s', () => {
      const expected = [0, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000];
      assert.deepEqual(
        expected.map((_, n) => backoffMs(n)),
        expected,
      );
    });

    it('stays at 60 s for any large count, and 0 for negative counts', () => {
      for (const n of [8, 20, 100, 1000, Number.MAX_SAFE_INTEGER]) assert.equal(backoffMs(n), 60_000, String(n));
      assert.equal(backoffMs(-1), 0);
    });

    it('never decreases', () => {
      for (let n = 0; n < 50; n++) assert.ok(backoffMs(n + 1) >= backoffMs(n), String(n));
    });
  });
});
