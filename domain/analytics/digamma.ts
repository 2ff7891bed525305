/** The asymptotic series is accurate to ~1e-16 from here on; smaller arguments are shifted up to it. */
const ASYMPTOTIC_FROM = 10;

/** ψ(x) = d/dx ln Γ(x), for the analytic gradients of the likelihoods (x > 0; reflection below 0). */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) {
    if (Number.isInteger(x)) return Number.NaN;
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  }
  let shift = 0;
  let shifted = x;
  while (shifted < ASYMPTOTIC_FROM) {
    shift += 1 / shifted;
    shifted += 1;
  }
  const inverseSquared = 1 / (shifted * shifted);
  const series =
    inverseSquared *
    (1 / 12 - inverseSquared * (1 / 120 - inverseSquared * (1 / 252 - inverseSquared * (1 / 240 - inverseSquared * (1 / 132)))));
  return Math.log(shifted) - 0.5 / shifted - series - shift;
}
