import type { Role, User } from '../generated/prisma/client';

/**
 * Who is calling, as loaded from the database for this very request (so a role change or a
 * disable counts at once). Handlers get it from @CurrentUser(); `id` is the only owner id
 * berth ever uses.
 */
export interface AuthUser {
  id: string;
  role: Role;
  sessionId: string;
  /** `Jester (jester) • cmk07b7n4`, for logs. */
  label: string;
  /** The full row; map it (toUserResponse) before it leaves the server. */
  record: User;
}

// The global JWT guard puts the caller on the request; everything after it reads `req.user`.
declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthUser;
  }
}
