import * as z from 'zod';

/** A query parameter that may appear once; repeating it is an error rather than a silent pick. */
export const single = <T extends z.ZodType>(schema: T) =>
  z
    .unknown()
    .refine((value) => !Array.isArray(value), { message: 'give this parameter only once', abort: true })
    .pipe(schema);

export const MAX_PAGE_SIZE = 100;

/** `limit`: a page size from 1 to 100, default 20. */
export const pageLimit = single(
  z
    .string()
    .regex(/^\d{1,3}$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)),
).default(20);
