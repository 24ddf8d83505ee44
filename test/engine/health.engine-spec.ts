import request from 'supertest';
import { describeOnEngine, DOCKER_HOST } from '../support/engine';
import { startTestApp } from '../support/test-app';

describeOnEngine('/health/ready with a real engine', () => {
  it('reports the engine up with its version', async () => {
    const t = await startTestApp({ DOCKER_HOST: DOCKER_HOST! });
    try {
      const res = await request(t.http).get('/health/ready').expect(200);
      expect(res.body.engine).toMatchObject({ status: 'up', version: expect.stringMatching(/^\d+\./) });
    } finally {
      await t.close();
    }
  });
});
