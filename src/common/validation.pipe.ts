import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError } from './error-codes';

/** Flattens class-validator's tree into `[{ field: 'profile.name', message }]`. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * Unknown properties are stripped (whitelist), not rejected: clients may send fields we ignore
 * on purpose (e.g. `customerId`, `role`), and features that want to notice them read the raw body.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = toFieldErrors(errors);
      const message = fields.length ? fields.map((f) => `${f.field}: ${f.message}`).join('; ') : 'Invalid request';
      return new BadRequestException({ code: 'VALIDATION_FAILED', message, fields });
    },
  });
}
