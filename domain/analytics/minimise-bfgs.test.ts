import { describe, expect, it } from 'vitest';
import { minimiseBfgs, type Objective } from './minimise-bfgs.js';

const rosenbrock: Objective = (point, gradient) => {
  const [x, y] = [point[0]!, point[1]!];
  gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  gradient[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

describe('minimiseBfgs', () => {
  it('finds the minimum of the Rosenbrock valley from the classic start (−1.2, 1)', () => {
    const minimum = minimiseBfgs(rosenbrock, [-1.2, 1]);
    expect(minimum.converged).toBe(true);
    expect(minimum.point[0]).toBeCloseTo(1, 7);
    expect(minimum.point[1]).toBeCloseTo(1, 7);
    expect(minimum.value).toBeLessThan(1e-14);
    expect(minimum.iterations).toBeLessThan(60);
  });

  it('solves an ill-conditioned quadratic exactly (condition number 10⁶)', () => {
    const weights = [1, 1e2, 1e4, 1e6];
    const centre = [3, -2, 0.5, 7];
    const quadratic: Objective = (point, gradient) => {
      let value = 0;
      weights.forEach((weight, index) => {
        const offset = point[index]! - centre[index]!;
        gradient[index] = 2 * weight * offset;
        value += weight * offset * offset;
      });
      return value;
    };
    const minimum = minimiseBfgs(quadratic, [0, 0, 0, 0], { gradientTolerance: 1e-9 });
    expect(minimum.converged).toBe(true);
    minimum.point.forEach((coordinate, index) => expect(coordinate).toBeCloseTo(centre[index]!, 9));
  });

  it('backs off steps that leave the domain (non-finite values) and still converges', () => {
    // f(x) = x − ln x on x > 0, minimum at x = 1; the first (steepest-descent) step from 0.05 is 19 long and lands in x < 0.
    const objective: Objective = (point, gradient) => {
      const x = point[0]!;
      gradient[0] = 1 - 1 / x;
      return x > 0 ? x - Math.log(x) : Number.NaN;
    };
    const minimum = minimiseBfgs(objective, [0.05]);
    expect(minimum.converged).toBe(true);
    expect(minimum.point[0]).toBeCloseTo(1, 7);
  });

  it('reports non-convergence when the iteration limit is reached', () => {
    const minimum = minimiseBfgs(rosenbrock, [-1.2, 1], { maxIterations: 3 });
    expect(minimum.converged).toBe(false);
    expect(minimum.iterations).toBe(3);
  });

  it('refuses a start point where the objective is not finite', () => {
    expect(() => minimiseBfgs(() => Number.POSITIVE_INFINITY, [0])).toThrow(RangeError);
  });
});
