const BAR_WIDTH = 30;
const count = (n: number) => n.toLocaleString('en-GB');

/** `[#########.....]  62%  1,240 / 2,000 rows` (the CLIs' progress line; `extra` is appended). */
export function progressBar(done: number, total: number, extra = ''): string {
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(share * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${count(done)} / ${count(total)} rows${extra}`;
}

/** The bar before the total is known: an empty bar and the job's state. */
export const waitingBar = (state: string) => `[${' '.repeat(BAR_WIDTH)}]  ${state}`;
