import { Transform } from 'class-transformer';

/** Trims strings; leaves anything else alone so the validators can name the wrong type. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

export const TrimLower = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

/** Optional text: trimmed, and an empty string means "no value" (null). */
export const TrimToNull = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim() || null : value));
