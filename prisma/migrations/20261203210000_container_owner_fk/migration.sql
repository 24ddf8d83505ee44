-- Hand-written: owners must be users from now on. NOT VALID makes PostgreSQL check every new
-- row and every changed customerId, while historic rows (u-dev-001, u000, usernames, ids of
-- deleted users) stay readable as they are until `berth customer-ids enforce` validates the
-- constraint once they have been repaired. schema.prisma declares no relation on purpose: a
-- Prisma relation would make reads of those historic rows fail.
ALTER TABLE "ContainerInstance" ADD CONSTRAINT "ContainerInstance_customerId_fkey"
  FOREIGN KEY ("customerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE NOT VALID;
