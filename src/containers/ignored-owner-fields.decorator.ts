import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { IgnoredOwnerFields } from './containers.service';

/**
 * The owner fields a client put in the raw body. The DTO never has them (the ValidationPipe
 * strips them); this only lets the service notice such clients. It never decides anything.
 */
export const IgnoredOwner = createParamDecorator((_data: unknown, context: ExecutionContext): IgnoredOwnerFields => {
  const body = context.switchToHttp().getRequest<Request>().body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) return {};
  return { customerId: body.customerId, createdById: body.createdById };
});
