import type { SqlSession } from '../../src/prisma/sql-connection';

/**
 * What the database's catalog says about the public schema, in a form two databases can be
 * compared by: columns, indexes, constraints, triggers, enums and functions. Prisma's
 * bookkeeping table is left out. Used to prove PGlite and PostgreSQL end up alike.
 */
export async function snapshotSchema(session: SqlSession): Promise<Record<string, unknown[]>> {
  const skip = `'_prisma_migrations'`;
  return {
    columns: await session.query(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
              character_maximum_length, numeric_precision, datetime_precision
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> ${skip}
        ORDER BY table_name, column_name`,
    ),
    indexes: await session.query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> ${skip} ORDER BY tablename, indexname`,
    ),
    constraints: await session.query(
      `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition, convalidated
         FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> ${skip}
          -- PostgreSQL 18 (PGlite) also lists NOT NULL as constraints; 15 does not. Nullability
          -- is compared through the columns instead.
          AND contype <> 'n'
        ORDER BY 1, 2`,
    ),
    triggers: await session.query(
      `SELECT tgrelid::regclass::text AS table_name, tgname, pg_get_triggerdef(oid) AS definition
         FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2`,
    ),
    enums: await session.query(
      `SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.typnamespace = 'public'::regnamespace ORDER BY t.typname, e.enumsortorder`,
    ),
    functions: await session.query(
      `SELECT proname, pg_get_functiondef(oid) AS definition FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace ORDER BY proname`,
    ),
  };
}
