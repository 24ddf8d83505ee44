import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DomainError } from './domain-error';
import { isDatabaseBusy, isRecordNotFound, uniqueViolationFields } from './prisma-errors';
import { codeForStatus, ERROR_STATUS, ErrorBody, FieldError } from './error-codes';

interface Mapped {
  status: number;
  code: string;
  message: string;
  fields?: FieldError[];
  retryAfterSeconds?: number;
}

/**
 * Every error leaves the API in one shape: `{ statusCode, error, code, message, requestId }`
 * (plus `fields` for validation). Anything unrecognised becomes a 500 that says nothing about
 * internals; the log line with the same request id has the details.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const mapped = mapException(exception);
    const requestId = String(request.id ?? '');
    if (mapped.status >= 500) {
      this.logger.error({ err: exception, requestId, path: request.originalUrl }, 'Unhandled error');
    }
    if (response.headersSent) return void response.end();
    const body: ErrorBody = {
      statusCode: mapped.status,
      error: STATUS_CODES[mapped.status] ?? 'Error',
      code: mapped.code,
      message: mapped.message,
      requestId,
      ...(mapped.fields ? { fields: mapped.fields } : {}),
    };
    if (mapped.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(mapped.retryAfterSeconds));
    // type(): a route may have declared another content type (text/plain logs) before failing.
    response.status(mapped.status).type('application/json').json(body);
  }
}

export function mapException(exception: unknown): Mapped {
  if (exception instanceof DomainError) {
    const { code, message, fields, retryAfterSeconds } = exception;
    return { status: ERROR_STATUS[code], code, message, fields, retryAfterSeconds };
  }
  // Express's body parsers fail before any route; Nest wraps them in an HttpException.
  const bodyParserError = mapBodyParserError(exception instanceof HttpException ? exception.cause : exception);
  if (bodyParserError) return bodyParserError;
  if (exception instanceof HttpException) return mapHttpException(exception);
  const databaseError = mapDatabaseError(exception);
  if (databaseError) return databaseError;
  return { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' };
}

function mapHttpException(exception: HttpException): Mapped {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') return { status, code: codeForStatus(status), message: response };
  const body = response as { code?: unknown; message?: unknown; fields?: FieldError[] };
  const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? exception.message);
  const code = typeof body.code === 'string' ? body.code : codeForStatus(status);
  return { status, code, message, fields: body.fields };
}

/** Unique violations and missing rows are the caller's problem, not ours; a busy database is a retry. */
function mapDatabaseError(error: unknown): Mapped | undefined {
  const fields = uniqueViolationFields(error);
  if (fields) {
    const what = fields.length ? fields.join(', ') : 'value';
    return {
      status: 409,
      code: 'CONFLICT',
      message: `${what} already in use`,
      fields: fields.map((field) => ({ field, message: `${field} already in use` })),
    };
  }
  if (isRecordNotFound(error)) return { status: 404, code: 'NOT_FOUND', message: 'Not found' };
  if (isDatabaseBusy(error)) {
    return { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'The database is busy; try again shortly', retryAfterSeconds: 1 };
  }
  return undefined;
}

/** Errors thrown by Express's body parsers before any route runs. */
function mapBodyParserError(exception: unknown): Mapped | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const error = exception as { type?: unknown; status?: unknown; message?: unknown };
  switch (error.type) {
    case 'entity.parse.failed':
      return { status: 400, code: 'INVALID_JSON', message: 'Request body is not valid JSON' };
    case 'entity.too.large':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: String(error.message) };
  }
  if (typeof error.type === 'string' && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    return { status: error.status, code: codeForStatus(error.status), message: String(error.message) };
  }
  return undefined;
}
