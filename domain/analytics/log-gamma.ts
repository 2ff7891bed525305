const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** Stirling's series is accurate to ~1e-17 from here on; smaller arguments are shifted up to it. */
const STIRLING_FROM = 10;

/** ln Γ(x) for x ≥ STIRLING_FROM: Stirling's series with the Bernoulli terms up to x^-13. */
function stirling(x: number): number {
  const inverse = 1 / x;
  const inverseSquared = inverse * inverse;
  const series =
    inverse *
    (1 / 12 +
      inverseSquared *
        (-1 / 360 +
          inverseSquared *
            (1 / 1260 +
              inverseSquared * (-1 / 1680 + inverseSquared * (1 / 1188 + inverseSquared * (-691 / 360360 + inverseSquared / 156))))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series;
}

/**
 * ln |Γ(x)|, absolute error below ~1e-14 and relative error below ~1e-13 away from the zeros at 1 and 2.
 * Small arguments are raised with Γ(x) = Γ(x + n) / (x (x+1) … (x+n−1)); negative ones use the reflection formula.
 */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) {
    if (Number.isInteger(x)) return Number.POSITIVE_INFINITY;
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  if (x >= STIRLING_FROM) return stirling(x);
  let product = 1;
  let shifted = x;
  while (shifted < STIRLING_FROM) {
    product *= shifted;
    shifted += 1;
  }
  return stirling(shifted) - Math.log(product);
}

/** The sign of Γ(x) (Γ is positive for x > 0 and alternates between the poles below 0), so Γ(x) = sign · exp(logGamma(x)). */
export function gammaSign(x: number): 1 | -1 {
  if (x > 0 || Number.isInteger(x)) return 1;
  return Math.floor(x) % 2 === 0 ? 1 : -1;
}
