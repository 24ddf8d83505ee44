/**
 * Every error code berth can answer with, and its HTTP status. This table is the one place
 * where domain errors meet HTTP; services throw `DomainError(code, message)` and never pick
 * a status themselves. Codes are stable: clients branch on them.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_CURRENT_PASSWORD: 400,
  INVALID_CUSTOMER_ID: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_REFRESH_TOKEN: 401,
  REFRESH_TOKEN_REUSED: 401,
  FORBIDDEN: 403,
  ACCOUNT_DISABLED: 403,
  QUOTA_EXCEEDED: 403,
  NOT_FOUND: 404,
  CUSTOMER_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  USERNAME_TAKEN: 409,
  NAME_TAKEN: 409,
  INVALID_STATE: 409,
  LAST_ADMIN: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ENGINE_REJECTED: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_ERROR: 500,
  ENGINE_UNSUPPORTED: 501,
  SERVICE_UNAVAILABLE: 503,
  ENGINE_UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The code for an HTTP status that came without one (e.g. Nest's own NotFoundException). */
export function codeForStatus(status: number): ErrorCode {
  const generic: Record<number, ErrorCode> = {
    400: 'BAD_REQUEST',
    401: 'UNAUTHORIZED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    409: 'CONFLICT',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    429: 'TOO_MANY_REQUESTS',
    503: 'SERVICE_UNAVAILABLE',
  };
  return generic[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

export interface FieldError {
  field: string;
  message: string;
}

/** The body of every error response. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  requestId: string;
  fields?: FieldError[];
}
