import { registerDecorator, ValidationOptions } from 'class-validator';

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_ENTRIES = 64;
const MAX_VALUE_LENGTH = 4096;

/** `env`: at most 64 entries, POSIX-style names, string values without NUL. */
export function IsEnvMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isEnvMap',
      target: target.constructor,
      propertyName,
      options: {
        message: `${propertyName} must map up to ${MAX_ENTRIES} names (letters, digits, _) to strings of at most ${MAX_VALUE_LENGTH} characters`,
        ...options,
      },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_ENTRIES &&
            entries.every(
              ([key, v]) => ENV_KEY.test(key) && typeof v === 'string' && v.length <= MAX_VALUE_LENGTH && !v.includes('\0'),
            )
          );
        },
      },
    });
}
