import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';

/** Where a request came from, for audit events. Who acted is always passed explicitly. */
export interface RequestContext {
  requestId: string;
  ip?: string;
  userAgent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Mounted right after requestIdMiddleware (and trust proxy), so req.ip is final. */
export function requestContextMiddleware(req: Request, _res: Response, next: NextFunction): void {
  storage.run(
    { requestId: String(req.id ?? ''), ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 500) },
    next,
  );
}
