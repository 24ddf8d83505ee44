-- CreateEnum
CREATE TYPE "ContainerStatus" AS ENUM ('PROVISIONING', 'RUNNING', 'STOPPED', 'FAILED', 'MISSING', 'DELETED');

-- CreateTable
CREATE TABLE "ContainerInstance" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "activeName" TEXT,
    "image" TEXT NOT NULL,
    "command" TEXT[],
    "env" JSONB NOT NULL DEFAULT '{}',
    "memoryMb" INTEGER NOT NULL,
    "cpus" DOUBLE PRECISION NOT NULL,
    "status" "ContainerStatus" NOT NULL DEFAULT 'PROVISIONING',
    "engineId" TEXT,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "ContainerInstance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomerQuota" (
    "userId" TEXT NOT NULL,
    "maxContainers" INTEGER,
    "maxMemoryMb" INTEGER,
    "maxCpus" DOUBLE PRECISION,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerQuota_pkey" PRIMARY KEY ("userId")
);

-- CreateIndex
CREATE INDEX "ContainerInstance_customerId_status_createdAt_idx" ON "ContainerInstance"("customerId", "status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ContainerInstance_customerId_activeName_key" ON "ContainerInstance"("customerId", "activeName");

-- AddForeignKey
ALTER TABLE "CustomerQuota" ADD CONSTRAINT "CustomerQuota_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

