import { describeIf } from './describe-if';
/**
 * Engine tests need a real dockerd with the local busybox image: `scripts/test-dockerd.sh start`
 * makes one and prints its socket; .ci/run sets TEST_DOCKER_HOST=unix://<that socket>. Without
 * it, engine tests are skipped with a printed reason.
 */
export const DOCKER_HOST = process.env.TEST_DOCKER_HOST;
export const TEST_IMAGE = 'localhost/busybox:latest';

export const NO_ENGINE = 'TEST_DOCKER_HOST is not set (run scripts/test-dockerd.sh start; .ci/run does)';
export const describeOnEngine = describeIf(Boolean(DOCKER_HOST), NO_ENGINE);

/** A command that runs until stopped and exits promptly on SIGTERM (a bare sleep as PID 1 ignores it). */
export const LONG_RUNNING = ['sh', '-c', 'trap "exit 0" TERM; echo started; echo oops >&2; sleep 3600 & wait'];

/**
 * Makes the test dockerd a single-node swarm manager (on loopback), once; the swarm specs need
 * it. Plain containers keep working beside it, and the Docker adapter ignores task containers.
 */
export async function ensureSwarm(docker: import('dockerode')): Promise<void> {
  const active = async () => (await docker.info()).Swarm?.LocalNodeState === 'active';
  if (await active()) return;
  try {
    await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
  } catch (error) {
    if (!(await active())) throw error; // another test file initialised it at the same moment
  }
}
