/**
 * A value built the first time it is asked for, then kept. Route tables use it for the zod
 * schemas they generate (search grammars, batch bodies): building every route's schemas at import
 * was a large part of each API function's cold start (issue 17), and a function only ever needs
 * those of the routes it is asked to serve. The OpenAPI document and the tests ask for all of them.
 */
export function builtOnFirstUse<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
