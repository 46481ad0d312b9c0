// The scaling benchmark's curve (bench/lib/curve.ts): the exponent of cost ≈ a·nᵇ and its verdict.
import * as assert from 'node:assert/strict';
import { curveOf, describeCurve } from '../../../bench/lib/curve';

const points = (f: (n: number) => number, ns = [1, 10, 100]) => ns.map((n) => ({ n, cost: f(n) }));

describe('scaling curve', () => {
  it('finds the exponent of a power law and calls it by its shape', () => {
    const linear = curveOf(points((n) => 3 * n));
    assert.equal(linear.exponent, 1);
    assert.equal(linear.verdict, 'linear');
    assert.deepEqual(linear.perUnit, [3, 3, 3]);
    assert.equal(curveOf(points((n) => n * n)).verdict, 'superlinear');
    assert.equal(curveOf(points((n) => n * n)).exponent, 2);
    assert.equal(curveOf(points((n) => 50 + n)).verdict, 'sublinear', 'a fixed cost weighs at the small end');
  });

  it('gives the exponent between neighbours, and says it in words', () => {
    const c = curveOf(points((n) => (n < 100 ? n : n * 10), [1, 10, 100]));
    assert.deepEqual(c.steps, [1, 2]);
    assert.equal(describeCurve(c, [1, 10, 100]), `exponent ${c.exponent} (1→10: 1, 10→100: 2): superlinear`);
  });

  it('refuses a curve it cannot fit, naming the points', () => {
    assert.throws(() => curveOf([{ n: 1, cost: 1 }]), /two or more points/);
    assert.throws(() => curveOf(points(() => 0)), /positive work and cost.*"cost":0/);
  });
});
