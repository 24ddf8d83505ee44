// Bulk seed for the benchmarks, in plain SQL (seconds, not the HTTP API): 10,000 users,
// 100,000 containers spread over them, and one benchmark user with exactly 20 containers.
export const BENCH_USER = { username: 'bench', email: 'bench@bench.example', password: 'bench-password-1' };
export const BENCH_USER_ID = 'cbenchuser000000000000000';

export function seedSql(passwordHash) {
  const hash = passwordHash.replace(/'/g, "''");
  return `
    INSERT INTO "User" (id, email, username, "passwordHash", "publicCustomerId", "createdAt", "updatedAt")
    SELECT 'cbench' || lpad(g::text, 19, '0'), 'user' || g || '@bench.example', 'user' || g, '${hash}',
           'u' || CASE WHEN g < 1000 THEN lpad(g::text, 3, '0') ELSE g::text END, now() - interval '30 days', now()
      FROM generate_series(1, 10000) AS g;
    INSERT INTO "User" (id, email, username, "passwordHash", "publicCustomerId", "displayName", "createdAt", "updatedAt")
    VALUES ('${BENCH_USER_ID}', '${BENCH_USER.email}', '${BENCH_USER.username}', '${hash}', 'u10001', 'Bench', now(), now());
    UPDATE "Counter" SET value = 10001 WHERE name = 'publicCustomerId';
    INSERT INTO "ContainerInstance" (id, "customerId", "createdById", name, "activeName", image, command, "memoryMb", cpus,
                                     status, "createdAt", "updatedAt")
    SELECT 'cbc' || lpad(g::text, 22, '0'), 'cbench' || lpad(((g % 10000) + 1)::text, 19, '0'),
           'cbench' || lpad(((g % 10000) + 1)::text, 19, '0'), 'c-' || g, 'c-' || g, 'localhost/busybox:latest', '{}',
           64, 0.25, (CASE WHEN g % 3 = 0 THEN 'RUNNING' ELSE 'STOPPED' END)::"ContainerStatus",
           now() - (g || ' seconds')::interval, now()
      FROM generate_series(1, 100000) AS g;
    INSERT INTO "ContainerInstance" (id, "customerId", "createdById", name, "activeName", image, command, "memoryMb", cpus,
                                     status, "createdAt", "updatedAt")
    SELECT 'cbb' || lpad(g::text, 22, '0'), '${BENCH_USER_ID}', '${BENCH_USER_ID}', 'bench-' || g, 'bench-' || g,
           'localhost/busybox:latest', '{}', 64, 0.25, 'RUNNING', now() - (g || ' minutes')::interval, now()
      FROM generate_series(1, 20) AS g;
    ANALYZE;`;
}
