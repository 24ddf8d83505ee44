/** Every customer route that acts on one container, as [method, path suffix after /api/containers/:id]. */
export const CONTAINER_ID_ROUTES = [
  ['get', ''],
  ['get', '/logs'],
  ['get', '/stats'],
  ['post', '/start'],
  ['post', '/stop'],
  ['post', '/restart'],
  ['delete', ''],
] as const;
