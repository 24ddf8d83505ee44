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

  /** `delayMs`: each connection reaches the engine that much later (a slow engine). */
  constructor(
    private readonly upstreamPath: string,
    private readonly delayMs = 0,
  ) {}

  get host(): string {
    return `unix://${this.path}`;
  }

  async open(): Promise<void> {
    this.server = createServer((client) => {
      client.pause();
      this.track(client);
      setTimeout(() => {
        if (client.destroyed) return; // the proxy closed meanwhile
        const upstream = this.track(createConnection(this.upstreamPath));
        client.pipe(upstream).pipe(client);
        client.resume();
      }, this.delayMs);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.path, resolve));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  }

  /** The engine disappears: the socket goes away and open connections are cut. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
