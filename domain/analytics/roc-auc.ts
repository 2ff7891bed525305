/**
 * The exact area under the ROC curve: the probability that a random positive scores higher than a random negative,
 * ties counting one half (the Mann–Whitney U statistic over n₊ n₋). NaN when either class is empty.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  if (n !== positive.length) throw new RangeError(`rocAuc needs one label per score, got ${n} scores and ${positive.length} labels`);
  const order = Array.from({ length: n }, (_, index) => index).sort((left, right) => scores[left]! - scores[right]!);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]!] === scores[order[start]!]) end += 1;
    // Tied scores share the mean of their ranks (1-based): (start + 1 + end + 1) / 2.
    const sharedRank = (start + end) / 2 + 1;
    for (let index = start; index <= end; index += 1) {
      if (positive[order[index]!]) {
        positives += 1;
        rankSum += sharedRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
