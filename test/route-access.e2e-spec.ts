import { Controller, Get, Module, RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DiscoveryModule } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import request from 'supertest';
import { IS_PUBLIC } from '../src/auth/public.decorator';
import { ROLES } from '../src/auth/roles.decorator';
import { Roles } from '../src/auth/roles.decorator';
import { bearer, createUser, login, register } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

type Access = 'public' | 'user' | 'ADMIN';

/**
 * Every route berth serves and who may call it. A new route fails this test until it is
 * listed here, so its access level is a decision someone wrote down, not an accident.
 */
const EXPECTED_ROUTES: Record<string, Access> = {
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'POST /api/auth/register': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/refresh': 'public',
  'POST /api/auth/logout': 'user',
  'GET /api/auth/me': 'user',
  'GET /api/users/me': 'user',
  'PATCH /api/users/me': 'user',
  'POST /api/users/me/password': 'user',
  'POST /api/containers': 'user',
  'GET /api/containers': 'user',
  'GET /api/containers/:id': 'user',
  'POST /api/containers/:id/start': 'user',
  'POST /api/containers/:id/stop': 'user',
  'POST /api/containers/:id/restart': 'user',
  'DELETE /api/containers/:id': 'user',
  'GET /api/containers/:id/logs': 'user',
  'GET /api/containers/:id/stats': 'user',
  'POST /api/admin/containers': 'ADMIN',
  'GET /api/admin/containers': 'ADMIN',
  'POST /api/admin/containers/:id/start': 'ADMIN',
  'POST /api/admin/containers/:id/stop': 'ADMIN',
  'POST /api/admin/containers/:id/restart': 'ADMIN',
  'DELETE /api/admin/containers/:id': 'ADMIN',
  'POST /api/admin/containers/:id/transfer': 'ADMIN',
  'GET /api/admin/users': 'ADMIN',
  'GET /api/admin/users/:ref': 'ADMIN',
  'PATCH /api/admin/users/:ref': 'ADMIN',
  'GET /api/admin/audit': 'ADMIN',
  'GET /api/admin/audit/verify': 'ADMIN',
};

/** Mounted only here: proves that @Roles('ADMIN') is enforced from the role loaded per request. */
@Roles('ADMIN')
@Controller('admin/probe')
class AdminProbeController {
  @Get()
  ok() {
    return { ok: true };
  }
}

@Module({ imports: [DiscoveryModule], controllers: [AdminProbeController] })
class ProbeModule {}

interface Route {
  key: string;
  method: string;
  path: string;
  access: Access;
}

function listRoutes(t: TestApp): Route[] {
  const discovery = t.app.get(DiscoveryService);
  const scanner = t.app.get(MetadataScanner);
  const reflector = t.app.get(Reflector);
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const prefix = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = instance[name];
      const subPath = Reflect.getMetadata(PATH_METADATA, handler);
      if (subPath === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const raw = `/${prefix}/${subPath}`.replace(/\/+/g, '/').replace(/\/$/, '');
      const path = raw.startsWith('/health') ? raw : `/api${raw}`;
      const targets = [handler, metatype];
      const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true;
      const roles = reflector.getAllAndOverride<string[] | undefined>(ROLES, targets);
      const access: Access = isPublic ? 'public' : roles?.includes('ADMIN') ? 'ADMIN' : 'user';
      routes.push({ key: `${method} ${path}`, method, path, access });
    }
  }
  return routes;
}

describe('route access', () => {
  let t: TestApp;
  let routes: Route[];
  beforeAll(async () => {
    t = await startTestApp({}, [ProbeModule]);
    routes = listRoutes(t).filter((route) => route.path !== '/api/admin/probe');
  });
  afterAll(() => t.close());

  it('every route has the access level written down for it', () => {
    expect(Object.fromEntries(routes.map((route) => [route.key, route.access]))).toEqual(EXPECTED_ROUTES);
  });

  it('every /api/admin route requires ADMIN', () => {
    for (const route of listRoutes(t).filter((r) => r.path.startsWith('/api/admin'))) {
      expect({ route: route.key, access: route.access }).toEqual({ route: route.key, access: 'ADMIN' });
    }
  });

  it('every non-public route answers 401 to an anonymous caller (deny by default, over real HTTP)', async () => {
    for (const route of routes.filter((r) => r.access !== 'public')) {
      const path = route.path.replace(/:[A-Za-z]+/g, 'c00000000000000000000000');
      const res = await request(t.http)[route.method.toLowerCase() as 'get'](path).send({});
      expect({ route: route.key, status: res.status }).toEqual({ route: route.key, status: 401 });
    }
  });

  it('@Roles(ADMIN): 401 anonymous, 403 for a USER, 200 for an ADMIN, and a demotion counts at once', async () => {
    await request(t.http).get('/api/admin/probe').expect(401);
    const user = await register(t.http);
    const forbidden = await request(t.http).get('/api/admin/probe').set(bearer(user.accessToken)).expect(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');

    const admin = await createUser(t.prisma, { role: 'ADMIN' });
    const session = await login(t.http, admin.user.username, admin.password);
    await request(t.http).get('/api/admin/probe').set(bearer(session.accessToken)).expect(200, { ok: true });
    await t.prisma.user.update({ where: { id: admin.user.id }, data: { role: 'USER' } });
    await request(t.http).get('/api/admin/probe').set(bearer(session.accessToken)).expect(403);
    // ...and a promotion too, without logging in again.
    await t.prisma.user.update({ where: { id: user.user.id }, data: { role: 'ADMIN' } });
    await request(t.http).get('/api/admin/probe').set(bearer(user.accessToken)).expect(200);
  });
});
