import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The README and every page under docs/: the documentation a reader follows link by link. */
function documentationPages(): string[] {
  const docs = join(ROOT, 'docs');
  const pages = existsSync(docs)
    ? readdirSync(docs, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.md'))
        .map((name) => join(docs, name))
    : [];
  return [join(ROOT, 'README.md'), ...pages];
}

/** Markdown outside fenced code blocks, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading: lower-case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const base = headingAnchor(match[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link {
  readonly page: string;
  readonly target: string;
}

function relativeLinks(page: string): Link[] {
  const links: Link[] = [];
  for (const match of prose(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    links.push({ page, target });
  }
  return links;
}

/** Why a relative link does not resolve, or null when it does. */
function brokenBecause({ page, target }: Link): string | null {
  const [path, anchor] = target.split('#') as [string, string | undefined];
  const file = path === '' ? page : resolve(dirname(page), decodeURIComponent(path));
  if (!existsSync(file)) return `no file ${relative(ROOT, file)}`;
  if (anchor === undefined || statSync(file).isDirectory()) return null;
  if (!file.endsWith('.md')) return `anchor #${anchor} on a file that is not Markdown`;
  return anchorsOf(file).has(anchor) ? null : `no heading #${anchor} in ${relative(ROOT, file)}`;
}

describe('the documentation', () => {
  const pages = documentationPages();

  it('has a docs/ page for each part of the service, each linked from the README', () => {
    const readmeTargets = relativeLinks(join(ROOT, 'README.md')).map((link) => link.target.split('#')[0]);
    const unlinked = pages.slice(1).filter((page) => !readmeTargets.includes(relative(ROOT, page)));
    expect(pages.length).toBeGreaterThan(5);
    expect(unlinked.map((page) => relative(ROOT, page))).toEqual([]);
  });

  it('has no relative link or anchor that does not resolve', () => {
    const broken = pages
      .flatMap(relativeLinks)
      .map((link) => ({ link: `${relative(ROOT, link.page)} → ${link.target}`, problem: brokenBecause(link) }))
      .filter((entry) => entry.problem !== null);
    expect(broken).toEqual([]);
  });

  it('computes anchors the way GitHub does', () => {
    expect(headingAnchor('Persistence and the RDS Data API')).toBe('persistence-and-the-rds-data-api');
    expect(headingAnchor('What it costs when idle')).toBe('what-it-costs-when-idle');
    expect(headingAnchor('`GET /events`: the log')).toBe('get-events-the-log');
  });

  it('notices a broken link (the check can fail)', () => {
    expect(brokenBecause({ page: join(ROOT, 'README.md'), target: 'docs/no-such-page.md' })).toMatch(/no file/);
    expect(brokenBecause({ page: join(ROOT, 'README.md'), target: '#no-such-heading' })).toMatch(/no heading/);
  });
});
