// How a cost grows with the work: the exponent b of cost ≈ a·nᵇ, fitted by least squares on
// log–log (b = 1: linear; below: fixed costs weigh at the small end; above: worse than linear),
// between each pair of neighbouring points and over all of them, with the cost per unit.

export interface Point {
  n: number;
  cost: number;
}

export interface Curve {
  /** Cost per unit of work at each point. */
  perUnit: number[];
  /** The exponent between each point and the next. */
  steps: number[];
  /** The exponent fitted over all points. */
  exponent: number;
  verdict: 'linear' | 'sublinear' | 'superlinear';
}

/** Exponents within this of 1 are called linear: the figures are noisy. */
const LINEAR_BAND = 0.15;

export function exponentOf(points: readonly Point[]): number {
  const xs = points.map((p) => Math.log(p.n));
  const ys = points.map((p) => Math.log(p.cost));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

export function curveOf(points: readonly Point[]): Curve {
  if (points.length < 2 || points.some((p) => !(p.n > 0) || !(p.cost > 0))) throw new Error(`a curve needs two or more points with positive work and cost, not ${JSON.stringify(points)}`);
  const exponent = exponentOf(points);
  const round = (x: number, d = 2) => +x.toFixed(d);
  return {
    perUnit: points.map((p) => round(p.cost / p.n, 3)),
    steps: points.slice(1).map((p, i) => round(exponentOf([points[i]!, p]))),
    exponent: round(exponent),
    verdict: Math.abs(exponent - 1) <= LINEAR_BAND ? 'linear' : exponent < 1 ? 'sublinear' : 'superlinear',
  };
}

/** "exponent 0.93 (1→10: 0.91, 10→100: 0.95): linear" */
export function describeCurve(c: Curve, ns: readonly number[]): string {
  const steps = c.steps.map((s, i) => `${ns[i]}→${ns[i + 1]}: ${s}`).join(', ');
  return `exponent ${c.exponent} (${steps}): ${c.verdict}`;
}
