/** How many characters of the id humans see: enough to tell users apart, short enough to read. */
export const LABEL_ID_LENGTH = 9;

export interface LabelledUser {
  id: string;
  username: string;
  displayName?: string | null;
}

/**
 * The one way berth names a user to humans (logs, admin views, CLI tables):
 * `Jester (jester) • cmk07b7n4`. The display name falls back to the username.
 */
export function userLabel(user: LabelledUser): string {
  const name = user.displayName?.trim() || user.username;
  return `${name} (${user.username}) • ${user.id.slice(0, LABEL_ID_LENGTH)}`;
}

/** A user as the actor of an audit event: id and label. */
export function userActor(user: LabelledUser): { id: string; label: string } {
  return { id: user.id, label: userLabel(user) };
}
