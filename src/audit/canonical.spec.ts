import { canonicalJson, eventHash, GENESIS_HASH } from './canonical';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe('eventHash', () => {
  const event = {
    seq: 1,
    at: new Date('2026-12-03T10:00:00.123Z'),
    action: 'user.register',
    actorId: 'c1',
    actorLabel: 'A (a) • c1',
    customerId: 'c1',
    targetType: 'user',
    targetId: 'c1',
    reason: null,
    ip: '127.0.0.1',
    userAgent: null,
    requestId: 'r1',
    data: { b: 1, a: 2 },
    prevHash: GENESIS_HASH,
  };

  it('is stable regardless of key order in data', () => {
    expect(eventHash(event)).toBe(eventHash({ ...event, data: { a: 2, b: 1 } }));
    expect(eventHash(event)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['action', { action: 'user.login' }],
    ['seq', { seq: 2 }],
    ['time', { at: new Date('2026-12-03T10:00:00.124Z') }],
    ['data', { data: { a: 2, b: 2 } }],
    ['previous hash', { prevHash: 'f'.repeat(64) }],
    ['customer', { customerId: 'c2' }],
  ])('changes when the %s changes', (_what, change) => {
    expect(eventHash({ ...event, ...change })).not.toBe(eventHash(event));
  });
});
