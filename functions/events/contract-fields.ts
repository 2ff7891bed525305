import * as z from 'zod';
import { MAX_TAGS } from '../../domain/shared/tags.js';

/** Field schemas every aggregate's event contracts share, so the same value reads the same everywhere. */
export const uuid = z.uuid();
export const timestamp = z.iso.datetime().describe('ISO-8601 UTC date-time, e.g. 2026-11-26T10:00:00.000Z');
export const tagSet = z
  .array(z.string().regex(/^[a-z0-9:_-]{1,50}$/))
  .max(MAX_TAGS)
  .describe('a tag set: lower-case, unique, order of first appearance');

/** `{ from, to }` of one changed field. */
export const change = <T extends z.ZodType>(value: T) => z.strictObject({ from: value, to: value });
/** `{ from, to }` where each side has its own schema (e.g. null → a time). */
export const becomes = <F extends z.ZodType, T extends z.ZodType>(from: F, to: T) => z.strictObject({ from, to });
