import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HttpResponse } from '../../functions/http/responses.js';

/** Where `npm start` serves the API reference page. */
export const API_REFERENCE_PATH = '/docs';

const require = createRequire(import.meta.url);

/** The static files of swagger-ui-dist, read from node_modules: nothing is fetched from a CDN. */
function asset(name: string): string {
  return readFileSync(join(dirname(require.resolve('swagger-ui-dist/package.json')), name), 'utf8');
}

const page = (openApiUrl: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Customer Management API</title>
    <link rel="stylesheet" href="${API_REFERENCE_PATH}/swagger-ui.css" />
  </head>
  <body>
    <div id="reference"></div>
    <script src="${API_REFERENCE_PATH}/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({ url: ${JSON.stringify(openApiUrl)}, dom_id: '#reference', deepLinking: true, persistAuthorization: true });
    </script>
  </body>
</html>
`;

const ok = (contentType: string, body: string): HttpResponse => ({
  statusCode: 200,
  headers: { 'content-type': contentType, 'cache-control': 'no-cache' },
  body,
});

/** The local server's API reference: a page rendered by Swagger UI over GET /openapi.json. */
export function apiReferenceEndpoints(openApiUrl: string): Record<string, () => Promise<HttpResponse>> {
  let css: string | undefined;
  let script: string | undefined;
  return {
    [`GET ${API_REFERENCE_PATH}`]: async () => ok('text/html; charset=utf-8', page(openApiUrl)),
    [`GET ${API_REFERENCE_PATH}/swagger-ui.css`]: async () => ok('text/css; charset=utf-8', (css ??= asset('swagger-ui.css'))),
    [`GET ${API_REFERENCE_PATH}/swagger-ui-bundle.js`]: async () =>
      ok('text/javascript; charset=utf-8', (script ??= asset('swagger-ui-bundle.js'))),
  };
}
