import { ErrorCode, FieldError } from './error-codes';

/**
 * A failure the caller can act on, named by a stable code. Thrown by services; turned into an
 * HTTP response by AllExceptionsFilter using ERROR_STATUS, and printed by the CLI as is.
 */
export class DomainError extends Error {
  override name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldError[],
    /** Sent as `Retry-After` (seconds) with 429 and 503 answers. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
