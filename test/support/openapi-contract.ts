import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { fullPath, type Route } from '../../functions/http/route.js';
import { openApiDocument } from '../../functions/routes.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const DOCUMENT_ID = 'https://customer-mgmt.local/openapi.json';

type Json = Record<string, any>;

/** Rewrites document-local `$ref`s so that they resolve against the document registered under DOCUMENT_ID. */
function absoluteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(absoluteRefs);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#') ? `${DOCUMENT_ID}${value}` : absoluteRefs(value),
    ]),
  );
}

/**
 * Validators for the schemas of the OpenAPI document, with its components resolvable: used to
 * check every documented example and, inside the API suites, every response the handlers give.
 */
export function createOpenApiValidator(document: Json = openApiDocument()) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, components: absoluteRefs(document.components) });
  const compiled = new Map<unknown, ValidateFunction>();
  const validatorFor = (schema: unknown) => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(absoluteRefs(schema) as Json)));
    return validate;
  };

  /** Problems of `value` against `schema`, empty when it conforms. */
  function problems(schema: unknown, value: unknown): string[] {
    const validate = validatorFor(schema);
    return validate(value)
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message} ${JSON.stringify(error.params)}`);
  }

  /** Why a response of `route` is not what the document promises, or null when it is. */
  function checkResponse(route: Route<any, any, any, any>, status: number, body: unknown): string | null {
    const operation = document.paths[fullPath(route)]?.[route.method.toLowerCase()];
    if (!operation) return `${route.method} ${fullPath(route)} is not in the OpenAPI document`;
    const response = operation.responses[String(status)];
    if (!response) return `${route.method} ${fullPath(route)} answered ${status}, which the OpenAPI document does not list`;
    const schema = response.content?.['application/json']?.schema;
    if (!schema)
      return body === undefined ? null : `${route.method} ${fullPath(route)} ${status} has a body the document does not describe`;
    const found = problems(schema, body);
    return found.length === 0
      ? null
      : `${route.method} ${fullPath(route)} ${status} does not match its documented schema: ${found.join('; ')}`;
  }

  return { document, problems, checkResponse };
}
