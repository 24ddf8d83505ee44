/**
 * Every ContainerInstance column read the way Prisma returns it, for statements run on the
 * driver (PrismaService.directQuery) on the container routes: the enum as text, timestamps as
 * UTC instants, `command` never null. test/database.e2e-spec.ts compares a row read this way
 * with Prisma's own read of it, so a new column or type cannot drift unnoticed.
 */
export const CONTAINER_ROW = `"id", "customerId", "createdById", "name", "activeName", "image",
  coalesce("command", '{}') AS "command", "env", "memoryMb", "cpus", "status"::text AS "status", "engineId", "lastError",
  "createdAt" AT TIME ZONE 'UTC' AS "createdAt", "updatedAt" AT TIME ZONE 'UTC' AS "updatedAt",
  "deletedAt" AT TIME ZONE 'UTC' AS "deletedAt"`;

