import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../routes.js';

/** `npm run openapi [file]`: writes the OpenAPI document (default openapi.json) for publishing. */
function main(): void {
  const target = process.argv[2] ?? 'openapi.json';
  const document = openApiDocument();
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`wrote ${target}: ${Object.keys(document.paths as object).length} paths\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
