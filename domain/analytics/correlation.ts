/** Pearson's correlation coefficient of two equally long series; NaN when either is constant or they are shorter than 2. */
export function pearsonCorrelation(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  if (n !== ys.length) throw new RangeError(`pearsonCorrelation needs series of one length, got ${n} and ${ys.length}`);
  if (n < 2) return Number.NaN;
  let meanX = 0;
  let meanY = 0;
  for (let index = 0; index < n; index += 1) {
    meanX += xs[index]!;
    meanY += ys[index]!;
  }
  meanX /= n;
  meanY /= n;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let index = 0; index < n; index += 1) {
    const dx = xs[index]! - meanX;
    const dy = ys[index]! - meanY;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }
  return varianceX === 0 || varianceY === 0 ? Number.NaN : covariance / Math.sqrt(varianceX * varianceY);
}
