import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_CONTRACTS, jsonSchemaOf } from './event-catalogue.js';

/** Where the committed JSON Schema files live: one per contract, `<EventType>.v<version>.json`. */
export const SCHEMAS_DIR = fileURLToPath(new URL('./schemas/', import.meta.url));

/** The files the catalogue generates, by file name. */
export function schemaFiles(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(EVENT_CONTRACTS).map(([key, contract]) => [`${key}.json`, `${JSON.stringify(jsonSchemaOf(contract), null, 2)}\n`]),
  );
}

/** `npm run events:schemas`: rewrites the schema folder from the catalogue (stale files removed). */
function main(): void {
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  const files = schemaFiles();
  for (const stale of readdirSync(SCHEMAS_DIR).filter((name) => name.endsWith('.json') && !(name in files)))
    rmSync(join(SCHEMAS_DIR, stale));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(SCHEMAS_DIR, name), content);
  process.stdout.write(`wrote ${Object.keys(files).length} schemas to ${SCHEMAS_DIR}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
