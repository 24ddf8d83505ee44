import { userLabel } from './user-label';
import { formatPublicCustomerId } from './public-customer-id';

describe('userLabel', () => {
  it('shows display name, username and the first 9 characters of the id', () => {
    expect(userLabel({ id: 'cmk07b7n40000xyz', username: 'jester', displayName: 'Jester' })).toBe(
      'Jester (jester) • cmk07b7n4',
    );
  });

  it.each([null, undefined, '', '   '])('falls back to the username when the display name is %p', (displayName) => {
    expect(userLabel({ id: 'cmk07b7n40000xyz', username: 'jester', displayName })).toBe('jester (jester) • cmk07b7n4');
  });
});

describe('formatPublicCustomerId', () => {
  it.each([
    [1, 'u001'],
    [42, 'u042'],
    [999, 'u999'],
    [1000, 'u1000'],
    [123456, 'u123456'],
  ])('%i -> %s', (n, expected) => {
    expect(formatPublicCustomerId(n)).toBe(expected);
  });
});
