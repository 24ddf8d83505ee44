import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Accepted from the client only when it is short and harmless in logs and headers. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Runs before everything else (body parsing included), so every response, even a 400 for bad
 * JSON, carries an id that matches its log line.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID();
  req.id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
}
