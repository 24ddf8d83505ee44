// The ceiling for this stack: a minimal Node http server doing what GET /api/containers does
// (verify an HS256 JWT by hand, load session and user, page of 20 + count), with no framework.
// Usage: node bench/raw-server.mjs <port> <postgres url | pglite dir> <jwt secret>
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const [port, target, secret] = process.argv.slice(2);

async function openDb() {
  if (target.startsWith('postgres')) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: target, max: 10 });
    return { query: async (sql, params) => (await pool.query(sql, params)).rows };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(target);
  return { query: async (sql, params) => (await db.query(sql, params)).rows };
}

function verifyJwt(token) {
  const [header, payload, signature] = token.split('.');
  if (!signature) return null;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  return claims.exp * 1000 > Date.now() ? claims : null;
}

const db = await openDb();
createServer(async (req, res) => {
  try {
    const claims = verifyJwt((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!claims) return res.writeHead(401).end();
    const [session] = await db.query(
      `SELECT u.id FROM "Session" s JOIN "User" u ON u.id = s."userId"
        WHERE s.id = $1 AND s."userId" = $2 AND s."revokedAt" IS NULL AND s."expiresAt" > now() AND u."disabledAt" IS NULL`,
      [claims.sid, claims.sub],
    );
    if (!session) return res.writeHead(401).end();
    const [items, [{ total }]] = await Promise.all([
      db.query(
        `SELECT id, "customerId", name, image, status, "memoryMb", cpus, command, "createdAt", "updatedAt", "lastError"
           FROM "ContainerInstance" WHERE "customerId" = $1 AND status <> 'DELETED'
          ORDER BY "createdAt" DESC, id DESC LIMIT 20`,
        [session.id],
      ),
      db.query(`SELECT count(*)::int AS total FROM "ContainerInstance" WHERE "customerId" = $1 AND status <> 'DELETED'`, [session.id]),
    ]);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items, total, page: 1, pageSize: 20 }));
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.once('SIGTERM', () => process.exit(0)); // lets --cpu-prof write its profile
