/** Latency samples in milliseconds, grown as needed. */
export class Samples {
  private values = new Float64Array(1 << 16);
  private size = 0;

  add(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
  }

  get count(): number {
    return this.size;
  }

  /** p50/p95/p99 (nearest rank), rounded to 0.01 ms. */
  percentiles(): { p50_ms: number; p95_ms: number; p99_ms: number } {
    const sorted = this.values.slice(0, this.size).sort();
    const at = (p: number) =>
      sorted.length === 0 ? 0 : round2(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
    return { p50_ms: at(50), p95_ms: at(95), p99_ms: at(99) };
  }
}

export const round2 = (value: number) => Math.round(value * 100) / 100;
export const round1 = (value: number) => Math.round(value * 10) / 10;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
