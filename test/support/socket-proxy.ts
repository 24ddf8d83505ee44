import { mkdtempSync } from 'node:fs';
import { createConnection, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A unix-socket proxy in front of the test dockerd, so a test can make "the engine" vanish
 * and come back without stopping the dockerd other test files share.
 */
export class SocketProxy {
  readonly path = join(mkdtempSync(join(tmpdir(), 'berth-proxy-')), 'docker.sock');
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly upstreamPath: string) {}

  get host(): string {
    return `unix://${this.path}`;
  }

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.upstreamPath);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.path, resolve));
  }

  /** The engine disappears: the socket goes away and open connections are cut. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
