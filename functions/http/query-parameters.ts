import * as z from 'zod';

const innerSchemas = new WeakMap<z.ZodType, z.ZodType>();

/** A query parameter that may appear once; repeating it is an error rather than a silent pick. */
export const single = <T extends z.ZodType>(schema: T) => {
  const wrapped = z
    .unknown()
    .refine((value) => !Array.isArray(value), { message: 'give this parameter only once', abort: true })
    .pipe(schema);
  innerSchemas.set(wrapped, schema);
  return wrapped;
};

/** The value schema inside a `single(…)` parameter (through optional and default), for the API docs. */
export function innerOfSingle(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current: unknown = schema;
  for (let depth = 0; current && depth < 4; depth++) {
    const inner = innerSchemas.get(current as z.ZodType);
    if (inner) return inner;
    current = (current as { def?: { innerType?: unknown } }).def?.innerType;
  }
  return undefined;
}

export const MAX_PAGE_SIZE = 100;

/** `limit`: a page size from 1 to 100, default 20. */
export const pageLimit = single(
  z
    .string()
    .regex(/^\d{1,3}$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)),
).default(20);

/**
 * `after` of a keyset page anchored on an item id (the `next_cursor` of the previous page): a
 * UUID, whose item the route looks up (an id it does not know is 400).
 */
export const afterId = (what: string) => single(z.uuid({ error: `must be the ${what}, e.g. next_cursor of the previous page` }));
