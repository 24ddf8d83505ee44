import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { User } from '../../src/generated/prisma/client';
import type { Role } from '../../src/generated/prisma/client';
import type { PrismaService } from '../../src/prisma/prisma.service';
import { allocatePublicCustomerId } from '../../src/users/public-customer-id';
import { PasswordHasher } from '../../src/auth/password-hasher';

const hasher = new PasswordHasher();
let counter = 0;

/** Unique, valid registration fields; override what the test cares about. */
export function newRegistration(overrides: Record<string, unknown> = {}) {
  const n = `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;
  return {
    email: `user-${n}@example.com`,
    username: `user_${n}`,
    password: `pw-${n}-long-enough`,
    ...overrides,
  };
}

export interface CreatedUser {
  user: User;
  password: string;
}

/** A user written straight to the database (for admins, disabled users, …), as a seed step would. */
export async function createUser(
  prisma: PrismaService,
  options: { role?: Role; disabled?: boolean; displayName?: string } = {},
): Promise<CreatedUser> {
  const { email, username, password } = newRegistration();
  const passwordHash = await hasher.hash(password);
  const user = await prisma.$transaction(async (tx) =>
    tx.user.create({
      data: {
        email,
        username,
        passwordHash,
        role: options.role ?? 'USER',
        displayName: options.displayName ?? null,
        disabledAt: options.disabled ? new Date() : null,
        publicCustomerId: await allocatePublicCustomerId(tx),
      },
    }),
  );
  return { user, password };
}

export interface Registered {
  user: { id: string; username: string; email: string; publicCustomerId: string; role: string; label: string };
  accessToken: string;
  refreshToken: string;
  password: string;
}

/** Registers through the real HTTP route. */
export async function register(http: Parameters<typeof request>[0], overrides: Record<string, unknown> = {}): Promise<Registered> {
  const body = newRegistration(overrides);
  const res = await request(http).post('/api/auth/register').send(body).expect(201);
  return { ...res.body, password: body.password };
}

/** Logs in through the real HTTP route. */
export async function login(http: Parameters<typeof request>[0], loginName: string, password: string): Promise<Registered> {
  const res = await request(http).post('/api/auth/login').send({ login: loginName, password }).expect(200);
  return { ...res.body, password };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
