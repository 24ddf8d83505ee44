// Prisma CLI configuration. The CLI is used for `prisma generate` and `prisma migrate diff`
// only: the JS schema engine works offline, the native one would be downloaded (and fails here).
// Migrations are applied by berth itself (src/prisma/migrator.ts), to PGlite and PostgreSQL alike.
import { defineConfig } from 'prisma/config';

type AdapterFactory = Awaited<ReturnType<Extract<Parameters<typeof defineConfig>[0], { engine: 'js' }>['adapter']>>;

// schema.prisma's datasource needs a url to parse, although nothing connects through it.
process.env.PRISMA_SCHEMA_URL ??= 'postgresql://unused@localhost/berth';

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: 'prisma/schema.prisma',
  async adapter() {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    // Typed against an older driver-adapter-utils; compatible at run time (see src/prisma/prisma.service.ts).
    return new PrismaPGlite(new PGlite()) as unknown as AdapterFactory;
  },
});
