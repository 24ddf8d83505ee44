import type { PrismaService } from '../prisma/prisma.service';
import type { User } from '../generated/prisma/client';
import { PUBLIC_CUSTOMER_ID_PATTERN } from './public-customer-id';

export type RefKind = 'id' | 'public customer id' | 'email' | 'username';

/**
 * Finds a user by any handle people use: id, public customer id (`u042`), email or username.
 * For humans and operators only: owner ids are never resolved this way.
 */
export async function findUserByRef(prisma: PrismaService, ref: string): Promise<{ user: User; kind: RefKind } | null> {
  const value = ref.trim();
  if (value === '' || value.length > 320) return null;
  const byId = await prisma.user.findUnique({ where: { id: value } });
  if (byId) return { user: byId, kind: 'id' };
  const lower = value.toLowerCase();
  if (PUBLIC_CUSTOMER_ID_PATTERN.test(lower)) {
    const user = await prisma.user.findUnique({ where: { publicCustomerId: lower } });
    return user ? { user, kind: 'public customer id' } : null;
  }
  if (lower.includes('@')) {
    const user = await prisma.user.findUnique({ where: { email: lower } });
    return user ? { user, kind: 'email' } : null;
  }
  const user = await prisma.user.findUnique({ where: { username: lower } });
  return user ? { user, kind: 'username' } : null;
}
