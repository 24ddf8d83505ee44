import { createServer, Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerRuntime } from './docker.runtime';

/** A fake engine on a unix socket that records each request and answers container create. */
async function fakeEngine(): Promise<{ socket: string; requests: { url: string; body: string }[]; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-fake-engine-'));
  const socket = join(dir, 'docker.sock');
  const requests: { url: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', body });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ Id: 'c0ffee', Warnings: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, requests, close: () => new Promise((resolve) => server.close(() => (rmSync(dir, { recursive: true }), resolve()))) };
}

describe('DockerRuntime.create on the wire', () => {
  it('sends the spec in the body and only the name in the URL (engines log URLs; env holds secrets)', async () => {
    const engine = await fakeEngine();
    try {
      const runtime = new DockerRuntime({ host: `unix://${engine.socket}`, networkMode: 'none', pidsLimit: 64, stopTimeoutSeconds: 5 });
      const id = await runtime.create({
        instanceId: 'inst1',
        customerId: 'cust1',
        image: 'busybox',
        command: ['sleep', '1'],
        env: { DATABASE_PASSWORD: 'hunter2' },
        memoryMb: 32,
        cpus: 0.5,
      });
      expect(id).toBe('c0ffee');
      const [request] = engine.requests;
      expect(request.url).toBe('/containers/create?name=berth-inst1');
      const body = JSON.parse(request.body);
      expect(body.Env).toEqual(['DATABASE_PASSWORD=hunter2']);
      expect(body.HostConfig).toMatchObject({ Memory: 32 << 20, NanoCpus: 5e8, NetworkMode: 'none', PidsLimit: 64 });
      expect(body.Labels).toEqual({ 'berth.managed-by': 'berth', 'berth.instance-id': 'inst1', 'berth.customer-id': 'cust1' });
      expect(body).not.toHaveProperty('name');
    } finally {
      await engine.close();
    }
  });
});
