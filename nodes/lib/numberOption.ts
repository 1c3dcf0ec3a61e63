import { SamflowError } from '../../core';

/**
 * A numeric node property (the editor stores numbers as strings): `fallback` when empty, else a
 * number within [min, max] (and whole when `integer`), or a SamflowError naming the property.
 */
export function numberOption(value: unknown, name: string, fallback: number, min: number, max: number, integer = false): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new SamflowError(
      'BAD_OPTION',
      `${name}: expected ${integer ? 'a whole number' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(value)}. Fix it in the node's settings.`,
      name,
    );
  }
  return n;
}
