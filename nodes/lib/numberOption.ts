import { SamflowError } from '../../core/errors';

/**
 * A numeric node property (the editor stores numbers as strings): `fallback` when empty, else a
 * number within [min, max] (and whole when `integer`), or a SamflowError naming the property.
 */
export function numberOption(value: unknown, name: string, fallback: number, min: number, max: number, integer = false): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new SamflowError('BAD_OPTION', `${name}: expected ${integer ? 'a whole number' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(value)}. Fix it in the node's settings.`, name);
  }
  return n;
}

/** The error message of anything thrown, for a node status. */
export function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 60);
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
