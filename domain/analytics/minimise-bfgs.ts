/** A smooth function to minimise: returns f(point) and writes ∇f(point) into `gradient`. Non-finite values mean "outside the domain". */
export type Objective = (point: Float64Array, gradient: Float64Array) => number;

export interface MinimiseOptions {
  /** Stop when every component of the gradient is at most this in absolute value. */
  readonly gradientTolerance?: number;
  readonly maxIterations?: number;
}

export interface Minimum {
  readonly point: readonly number[];
  readonly value: number;
  readonly iterations: number;
  readonly evaluations: number;
  /** False when the iteration limit was reached or no step could lower f before the gradient was small. */
  readonly converged: boolean;
}

const ARMIJO = 1e-4;
const MAX_BACKTRACKS = 60;
/**
 * Steps that lower f by no more than this, relative to |f|, are rounding noise. A likelihood summed over
 * tens of thousands of customers carries about that much noise, and on an ill-conditioned ridge (Gamma-Gamma's
 * q and γ) a gradient still above the tolerance can mean an f already within its noise of the minimum: the
 * line search then keeps accepting steps that change nothing. This many such steps in a row end the search.
 */
const NOISE_RELATIVE = 1e-13;
const NOISE_STEPS = 10;
/** When rounding noise ends the search, a gradient within this multiple of the tolerance counts as converged. */
const NOISE_GRADIENT_FACTOR = 1e3;

const dot = (u: Float64Array, v: Float64Array) => {
  let sum = 0;
  for (let index = 0; index < u.length; index += 1) sum += u[index]! * v[index]!;
  return sum;
};

const largest = (vector: Float64Array) => {
  let max = 0;
  for (const value of vector) max = Math.max(max, Math.abs(value));
  return max;
};

/**
 * Quasi-Newton minimisation (BFGS with an inverse-Hessian update and a backtracking Armijo line search).
 * The likelihoods are fitted on log-parameters, so the search is unconstrained and a few dozen iterations suffice.
 */
export function minimiseBfgs(objective: Objective, start: readonly number[], options: MinimiseOptions = {}): Minimum {
  const gradientTolerance = options.gradientTolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 500;
  const size = start.length;
  let point = Float64Array.from(start);
  let gradient = new Float64Array(size);
  let value = objective(point, gradient);
  let evaluations = 1;
  if (!Number.isFinite(value)) throw new RangeError('minimiseBfgs: the objective is not finite at the start point');

  // Inverse Hessian approximation, row-major; the identity until the first step tells its scale.
  const inverseHessian = new Float64Array(size * size);
  for (let index = 0; index < size; index += 1) inverseHessian[index * size + index] = 1;
  let scaled = false;
  let noiseSteps = 0;

  const direction = new Float64Array(size);
  const candidate = new Float64Array(size);
  let candidateGradient = new Float64Array(size);
  const step = new Float64Array(size);
  const change = new Float64Array(size);
  const hessianTimesChange = new Float64Array(size);

  for (let iteration = 0; iteration < maxIterations; iteration += 1) {
    if (largest(gradient) <= gradientTolerance) return { point: [...point], value, iterations: iteration, evaluations, converged: true };

    for (let row = 0; row < size; row += 1) {
      let sum = 0;
      for (let column = 0; column < size; column += 1) sum -= inverseHessian[row * size + column]! * gradient[column]!;
      direction[row] = sum;
    }
    let slope = dot(direction, gradient);
    if (!(slope < 0)) {
      // Not a descent direction (the approximation went bad): restart from steepest descent.
      inverseHessian.fill(0);
      for (let index = 0; index < size; index += 1) {
        inverseHessian[index * size + index] = 1;
        direction[index] = -gradient[index]!;
      }
      scaled = false;
      slope = dot(direction, gradient);
    }

    let length = 1;
    let candidateValue = Number.NaN;
    let accepted = false;
    for (let backtrack = 0; backtrack < MAX_BACKTRACKS; backtrack += 1) {
      for (let index = 0; index < size; index += 1) candidate[index] = point[index]! + length * direction[index]!;
      candidateValue = objective(candidate, candidateGradient);
      evaluations += 1;
      if (Number.isFinite(candidateValue) && candidateValue <= value + ARMIJO * length * slope) {
        accepted = true;
        break;
      }
      length *= 0.5;
    }
    if (!accepted) {
      // No step lowers f: rounding noise dominates.
      return {
        point: [...point],
        value,
        iterations: iteration,
        evaluations,
        converged: largest(gradient) <= gradientTolerance * NOISE_GRADIENT_FACTOR,
      };
    }
    noiseSteps = value - candidateValue <= NOISE_RELATIVE * Math.max(1, Math.abs(value)) ? noiseSteps + 1 : 0;

    for (let index = 0; index < size; index += 1) {
      step[index] = candidate[index]! - point[index]!;
      change[index] = candidateGradient[index]! - gradient[index]!;
    }
    const curvature = dot(step, change);
    if (curvature > 1e-12 * Math.sqrt(dot(step, step) * dot(change, change))) {
      if (!scaled) {
        const scale = curvature / dot(change, change);
        for (let index = 0; index < size; index += 1) inverseHessian[index * size + index] = scale;
        scaled = true;
      }
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, expanded.
      const rho = 1 / curvature;
      for (let row = 0; row < size; row += 1) {
        let sum = 0;
        for (let column = 0; column < size; column += 1) sum += inverseHessian[row * size + column]! * change[column]!;
        hessianTimesChange[row] = sum;
      }
      const changeHessianChange = dot(change, hessianTimesChange);
      for (let row = 0; row < size; row += 1) {
        for (let column = 0; column < size; column += 1) {
          inverseHessian[row * size + column] =
            inverseHessian[row * size + column]! -
            rho * (hessianTimesChange[row]! * step[column]! + step[row]! * hessianTimesChange[column]!) +
            (rho * rho * changeHessianChange + rho) * step[row]! * step[column]!;
        }
      }
    }

    point = Float64Array.from(candidate);
    const previousGradient = gradient;
    gradient = candidateGradient;
    candidateGradient = previousGradient;
    value = candidateValue;
    if (noiseSteps >= NOISE_STEPS) {
      return {
        point: [...point],
        value,
        iterations: iteration + 1,
        evaluations,
        converged: largest(gradient) <= gradientTolerance * NOISE_GRADIENT_FACTOR,
      };
    }
  }
  return { point: [...point], value, iterations: maxIterations, evaluations, converged: largest(gradient) <= gradientTolerance };
}
