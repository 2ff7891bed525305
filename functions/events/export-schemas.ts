import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_CATALOGUE } from '../event-catalogue.js';
import { jsonSchemaOf, type EventCatalogue } from './event-contracts.js';

/** Where the committed JSON Schema files live: `<aggregate>/<EventType>.v<version>.json`. */
export const SCHEMAS_DIR = fileURLToPath(new URL('./schemas/', import.meta.url));

/** The files the catalogue generates, by path below SCHEMAS_DIR. */
export function schemaFiles(catalogue: EventCatalogue = EVENT_CATALOGUE): Record<string, string> {
  return Object.fromEntries(
    Object.entries(catalogue.contracts).map(([key, contract]) => [
      `${catalogue.aggregateOf[key]}/${key}.json`,
      `${JSON.stringify(jsonSchemaOf(contract), null, 2)}\n`,
    ]),
  );
}

/** Every schema file under SCHEMAS_DIR, by path below it. */
export function committedSchemaFiles(): string[] {
  return readdirSync(SCHEMAS_DIR, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.json'));
}

/** `npm run events:schemas`: rewrites the schema folder from the catalogue (stale files removed). */
function main(): void {
  const files = schemaFiles();
  for (const stale of committedSchemaFiles().filter((name) => !(name in files))) rmSync(join(SCHEMAS_DIR, stale));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(SCHEMAS_DIR, name)), { recursive: true });
    writeFileSync(join(SCHEMAS_DIR, name), content);
  }
  process.stdout.write(`wrote ${Object.keys(files).length} schemas to ${SCHEMAS_DIR}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
