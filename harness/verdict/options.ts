import { ErrorCode, ZdtError } from '../errors.ts';

/** ZDT_INVALID_OPTION naming the option, what it must be and the value it got. */
export function invalidOption(name: string, value: unknown, expected: string): ZdtError {
  const shown = typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
  return new ZdtError(ErrorCode.InvalidOption, `option ${name} must be ${expected}, got ${shown}`, { details: { option: name, value } });
}

export function requirePositive(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalidOption(name, value, 'a finite number > 0');
}

export function requireNonNegative(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalidOption(name, value, 'a finite number >= 0');
}

export function requireCount(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidOption(name, value, 'a non-negative integer');
}
