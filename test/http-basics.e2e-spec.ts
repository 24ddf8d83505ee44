import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import request from 'supertest';
import { Public } from '../src/auth/public.decorator';
import { SQL_CONNECTION } from '../src/prisma/prisma.tokens';
import type { SqlConnection } from '../src/prisma/sql-connection';
import { startTestApp, TestApp } from './support/test-app';

class ProbeDto {
  @IsString()
  @MaxLength(10)
  name!: string;

  @IsInt()
  @Min(1)
  @Max(5)
  size!: number;
}

/** A probe mounted only in this test: it shows what validation and unknown errors look like. */
@Public()
@Controller('probe')
class ProbeController {
  @Post()
  echo(@Body() body: ProbeDto): ProbeDto {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('secret internal detail: /etc/berth.conf line 3');
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('HTTP basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DOCKER_HOST: 'unix:///tmp/berth-no-engine-here.sock' }, [ProbeModule]);
  });
  afterAll(() => t.close());

  it('serves liveness and readiness outside /api; a missing engine is reported, not fatal', async () => {
    await request(t.http).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(t.http).get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.info.database).toMatchObject({ status: 'up', kind: 'pglite' });
    expect(ready.body.engine).toMatchObject({ status: 'down', message: expect.stringContaining('unreachable') });
    await request(t.http).get('/api/health/ready').expect(404);
  });

  it('answers unknown routes with the error format and a request id', async () => {
    const res = await request(t.http).get('/api/nowhere').expect(404);
    expect(res.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'NOT_FOUND',
      message: expect.any(String),
      requestId: res.headers['x-request-id'],
    });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a well-formed client request id and replaces a malformed one', async () => {
    const kept = await request(t.http).get('/health/live').set('x-request-id', 'client-trace-0001');
    expect(kept.headers['x-request-id']).toBe('client-trace-0001');
    const replaced = await request(t.http).get('/health/live').set('x-request-id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names each invalid field, and strips unknown ones', async () => {
    const res = await request(t.http).post('/api/probe').send({ name: 42, size: 9 }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.fields).toEqual([
      { field: 'name', message: expect.stringContaining('name') },
      { field: 'size', message: expect.stringContaining('size') },
    ]);
    const ok = await request(t.http).post('/api/probe').send({ name: 'ok', size: 2, role: 'ADMIN' }).expect(201);
    expect(ok.body).toEqual({ name: 'ok', size: 2 });
  });

  it('rejects invalid JSON and oversized bodies with 4xx, not 500', async () => {
    const bad = await request(t.http).post('/api/probe').set('content-type', 'application/json').send('{"name":').expect(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_JSON', requestId: bad.headers['x-request-id'] });
    const huge = await request(t.http)
      .post('/api/probe')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(200 * 1024), size: 1 }))
      .expect(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('hides unknown errors behind a 500 without internals', async () => {
    const res = await request(t.http).get('/api/probe/boom').expect(500);
    expect(res.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
      requestId: res.headers['x-request-id'],
    });
    expect(JSON.stringify(res.body)).not.toContain('berth.conf');
  });

  it('sets security headers (helmet) and hides the framework', async () => {
    const res = await request(t.http).get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('publishes the OpenAPI document and Swagger UI', async () => {
    const doc = await request(t.http).get('/api/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health/ready', '/api/probe']));
    const ui = await request(t.http).get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });

  it('reports 503 from readiness when the database does not answer', async () => {
    const other = await startTestApp();
    await other.prisma.$disconnect();
    await other.app.get<SqlConnection>(SQL_CONNECTION).close();
    try {
      const res = await request(other.http).get('/health/ready').expect(503);
      expect(res.body.error.database.status).toBe('down');
      await request(other.http).get('/health/live').expect(200);
    } finally {
      await other.close();
    }
  });
});
