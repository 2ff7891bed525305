import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './settings.js';

/** The pages a run rewrites in part: each holds `<!-- bench:NAME:start -->` … `<!-- bench:NAME:end -->` blocks. */
export const PAGES = {
  readme: join(PROJECT_ROOT, 'README.md'),
  benchmarks: join(PROJECT_ROOT, 'docs', 'benchmarks.md'),
  costs: join(PROJECT_ROOT, 'docs', 'costs.md'),
} as const;

/**
 * Replaces the content of the block `name` of `page` with `content`; the rest of the page is the
 * authors'. Returns whether the page had the block (a page without it is left as it is).
 */
export function replaceGeneratedBlock(page: string, name: string, content: string): boolean {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const text = readFileSync(page, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return false;
  writeFileSync(page, `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`);
  return true;
}
