import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import {
  EngineRejectedError,
  EngineUnavailableError,
  LABEL_CUSTOMER_ID,
  LABEL_INSTANCE_ID,
  LABEL_MANAGED_BY,
} from '../../src/containers/runtime/container-runtime';
import { DockerRuntime } from '../../src/containers/runtime/docker.runtime';
import { describeOnEngine, DOCKER_HOST, LONG_RUNNING, TEST_IMAGE } from '../support/engine';

describeOnEngine('DockerRuntime against a real dockerd', () => {
  const runtime = new DockerRuntime({ host: DOCKER_HOST!, networkMode: 'none', pidsLimit: 64, stopTimeoutSeconds: 5 });
  const raw = new Docker({ socketPath: DOCKER_HOST!.replace('unix://', '') });
  const made: string[] = [];
  const spec = (overrides: Partial<Parameters<DockerRuntime['create']>[0]> = {}) => ({
    instanceId: `c${randomBytes(12).toString('hex')}`,
    customerId: 'cuser00000000000000000001',
    image: TEST_IMAGE,
    command: LONG_RUNNING,
    env: { GREETING: 'hello' },
    memoryMb: 32,
    cpus: 0.5,
    ...overrides,
  });

  afterAll(async () => {
    await Promise.all(made.map((id) => runtime.remove(id)));
  });

  it('creates a labelled, limited, unprivileged container and runs its lifecycle', async () => {
    const s = spec();
    const id = await runtime.create(s);
    made.push(id);
    const info = await raw.getContainer(id).inspect();
    expect(info.Name).toBe(`/berth-${s.instanceId}`);
    expect(info.Config.Labels).toMatchObject({
      [LABEL_MANAGED_BY]: 'berth',
      [LABEL_INSTANCE_ID]: s.instanceId,
      [LABEL_CUSTOMER_ID]: s.customerId,
    });
    expect(info.Config.Env).toContain('GREETING=hello');
    expect(info.HostConfig).toMatchObject({
      Memory: 32 * 1024 * 1024,
      NanoCpus: 500_000_000,
      PidsLimit: 64,
      Privileged: false,
      NetworkMode: 'none',
    });
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.HostConfig.CapAdd ?? []).toEqual([]);
    expect((await runtime.inspect(id))?.state).toBe('created');

    await runtime.start(id);
    await runtime.start(id); // already running: not an error
    expect(await runtime.inspect(id)).toMatchObject({ state: 'running', instanceId: s.instanceId });

    await runtime.stop(id);
    expect((await runtime.inspect(id))?.state).toBe('exited');
    await runtime.stop(id); // already stopped: not an error

    await runtime.restart(id);
    expect((await runtime.inspect(id))?.state).toBe('running');

    await runtime.remove(id);
    expect(await runtime.inspect(id)).toBeNull();
    await runtime.remove(id); // already gone: not an error
  });

  // The engine copies stdout and stderr separately: lines written at the same instant may swap,
  // so the stderr line comes a moment later.
  it('returns the last lines of stdout and stderr, demultiplexed', async () => {
    const id = await runtime.create(spec({ command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line-$i; done; sleep 0.3; echo to-stderr >&2'] }));
    made.push(id);
    await runtime.start(id);
    for (let i = 0; i < 50 && (await runtime.inspect(id))?.state !== 'exited'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await runtime.logs(id, 3)).toBe('line-4\nline-5\nto-stderr\n');
  });

  it('reports stats with the memory limit', async () => {
    const id = await runtime.create(spec());
    made.push(id);
    await runtime.start(id);
    const stats = await runtime.stats(id);
    expect(stats.memoryLimitBytes).toBe(32 * 1024 * 1024);
    expect(stats.memoryBytes).toBeGreaterThan(0);
    expect(stats.pids).toBeGreaterThanOrEqual(1);
    expect(stats.cpuPercent).toBeGreaterThanOrEqual(0);
  });

  it('lists only containers carrying the berth label', async () => {
    const ours = await runtime.create(spec());
    made.push(ours);
    const foreign = await raw.createContainer({ Image: TEST_IMAGE, Cmd: ['true'] });
    try {
      const ids = (await runtime.listManaged()).map((c) => c.engineId);
      expect(ids).toContain(ours);
      expect(ids).not.toContain(foreign.id);
    } finally {
      await foreign.remove({ force: true });
    }
  });

  it('turns engine refusals into EngineRejectedError with the reason', async () => {
    await expect(runtime.create(spec({ image: 'localhost/does-not-exist:1' }))).rejects.toBeInstanceOf(EngineRejectedError);
    const tooSmall = await runtime.create(spec({ memoryMb: 1 })).catch((e: unknown) => e);
    expect(tooSmall).toBeInstanceOf(EngineRejectedError);
    expect((tooSmall as Error).message).toMatch(/memory/i);
  });

  it('turns an unreachable engine into EngineUnavailableError', async () => {
    const nowhere = new DockerRuntime({ host: 'unix:///tmp/berth-no-such.sock', networkMode: 'none', pidsLimit: 64, stopTimeoutSeconds: 1 });
    await expect(nowhere.info()).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(nowhere.create(spec())).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(nowhere.inspect('abc')).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('reads engine info', async () => {
    const info = await runtime.info();
    expect(info.cpus).toBeGreaterThanOrEqual(1);
    expect(info.version).toMatch(/^\d+\./);
  });
});
