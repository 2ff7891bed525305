import { gammaSign, logGamma } from './log-gamma.js';

const RELATIVE_TOLERANCE = 1e-15;
const MAX_TERMS = 1_000_000;
/** Above this z the series is replaced by the 1 − z connection formula, unless c − a − b is too close to an integer for it. */
const CONNECTION_FROM = 0.9;
const NEAR_INTEGER = 0.05;

/**
 * Σ_{n≥1} (a)_n (b+1)_{n−1} / ((c)_n n!) zⁿ = (₂F₁(a, b; c; z) − 1) / b, summed directly (|z| < 1).
 * It stays finite as b → 0, which is what lets the BG/NBD expectation be written without dividing by a − 1.
 */
export function hypergeometricSeriesTail(a: number, b: number, c: number, z: number): number {
  let term = (a / c) * z;
  let sum = term;
  for (let n = 1; n < MAX_TERMS; n += 1) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (Math.abs(term) <= RELATIVE_TOLERANCE * Math.abs(sum) && n > 2) return sum;
    if (term === 0) return sum;
  }
  throw new Error(`hypergeometric series did not converge for a=${a}, b=${b}, c=${c}, z=${z}`);
}

function series(a: number, b: number, c: number, z: number): number {
  if (z === 0 || b === 0 || a === 0) return 1;
  return 1 + b * hypergeometricSeriesTail(a, b, c, z);
}

/** Γ(p)Γ(q) / (Γ(r)Γ(s)) with signs, for the connection formula's coefficients (some arguments may be negative). */
function gammaRatio(p: number, q: number, r: number, s: number): number {
  if ((Number.isInteger(r) && r <= 0) || (Number.isInteger(s) && s <= 0)) return 0;
  const sign = gammaSign(p) * gammaSign(q) * gammaSign(r) * gammaSign(s);
  return sign * Math.exp(logGamma(p) + logGamma(q) - logGamma(r) - logGamma(s));
}

/**
 * The Gauss hypergeometric function ₂F₁(a, b; c; z) for real z < 1 (c not a non-positive integer).
 * 0 ≤ z ≤ 0.9: the power series. z < 0: Pfaff's transformation to z/(z − 1) ∈ (0, 1). z > 0.9: the connection
 * formula in 1 − z, whose coefficients are finite when c − a − b is not an integer; near an integer the series is summed instead.
 */
export function hypergeometric2F1(a: number, b: number, c: number, z: number): number {
  if (!(z < 1)) throw new RangeError(`hypergeometric2F1 needs z < 1, got ${z}`);
  if (z < 0) {
    // Pfaff: ₂F₁(a, b; c; z) = (1 − z)^(−a) ₂F₁(a, c − b; c; z / (z − 1)).
    return Math.pow(1 - z, -a) * hypergeometric2F1(a, c - b, c, z / (z - 1));
  }
  const excess = c - a - b;
  if (z <= CONNECTION_FROM || Math.abs(excess - Math.round(excess)) < NEAR_INTEGER) return series(a, b, c, z);
  const w = 1 - z;
  const first = gammaRatio(c, excess, c - a, c - b) * series(a, b, 1 - excess, w);
  const second = gammaRatio(c, -excess, a, b) * Math.pow(w, excess) * series(c - a, c - b, 1 + excess, w);
  return first + second;
}
