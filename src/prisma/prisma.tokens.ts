/** Injection token for the raw SqlConnection under Prisma (see sql-connection.ts). */
export const SQL_CONNECTION = Symbol('SQL_CONNECTION');
