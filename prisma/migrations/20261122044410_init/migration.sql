-- CreateEnum
CREATE TYPE "ParkMode" AS ENUM ('NEXT_SLOT', 'RANDOM_CODE');

-- CreateEnum
CREATE TYPE "OccupiedSlotPolicy" AS ENUM ('REJECT', 'NEXT_FREE');

-- CreateEnum
CREATE TYPE "RecallOption" AS ENUM ('PARKER_ONLY', 'PARKER_THEN_HUNT_GROUP', 'HUNT_GROUP_ONLY');

-- CreateEnum
CREATE TYPE "ParkMethod" AS ENUM ('BLIND_TRANSFER', 'ATTENDED_TRANSFER', 'HOLD_AND_DIAL', 'API');

-- CreateEnum
CREATE TYPE "PlaceKind" AS ENUM ('SLOT', 'EXTENSION', 'CODE');

-- CreateEnum
CREATE TYPE "ParkState" AS ENUM ('PARKED', 'RECALLING', 'ENDED');

-- CreateEnum
CREATE TYPE "ParkOutcome" AS ENUM ('RETRIEVED', 'RECALL_ANSWERED', 'HUNT_GROUP', 'ABANDONED', 'TIMED_OUT', 'HUNG_UP', 'LOST');

-- CreateTable
CREATE TABLE "Tenant" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parkPrefix" TEXT NOT NULL DEFAULT '*70',
    "retrievePrefix" TEXT NOT NULL DEFAULT '*71',
    "groupParkCodes" TEXT[] DEFAULT ARRAY['*58']::TEXT[],
    "parkMode" "ParkMode" NOT NULL DEFAULT 'NEXT_SLOT',
    "randomCodeDigits" INTEGER NOT NULL DEFAULT 4,
    "occupiedSlotPolicy" "OccupiedSlotPolicy" NOT NULL DEFAULT 'REJECT',
    "recallTimerSec" INTEGER NOT NULL DEFAULT 120,
    "recallOption" "RecallOption" NOT NULL DEFAULT 'PARKER_ONLY',
    "recallRetrySec" INTEGER NOT NULL DEFAULT 10,
    "recallRingSec" INTEGER NOT NULL DEFAULT 20,
    "huntGroupWaitSec" INTEGER NOT NULL DEFAULT 30,
    "huntGroupId" UUID,
    "recallAlertInfo" TEXT,
    "maxParkTimeSec" INTEGER NOT NULL DEFAULT 900,
    "finalDestination" TEXT,
    "fallbackExtension" TEXT,
    "musicClass" TEXT NOT NULL DEFAULT 'default',
    "slotLimit" INTEGER NOT NULL DEFAULT 100,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Extension" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "endpoint" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Extension_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ParkSlot" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "musicClass" TEXT,
    "recallTimerSec" INTEGER,
    "parkAllow" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "retrieveAllow" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "pinHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ParkSlot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Group" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "useMembersAsDestinations" BOOLEAN NOT NULL DEFAULT false,
    "recallOption" "RecallOption" NOT NULL DEFAULT 'PARKER_ONLY',
    "recallTimerSec" INTEGER,
    "huntGroupId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Group_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GroupMember" (
    "groupId" UUID NOT NULL,
    "extensionId" UUID NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "GroupMember_pkey" PRIMARY KEY ("groupId","extensionId")
);

-- CreateTable
CREATE TABLE "GroupDestination" (
    "groupId" UUID NOT NULL,
    "slotId" UUID NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "GroupDestination_pkey" PRIMARY KEY ("groupId","slotId")
);

-- CreateTable
CREATE TABLE "HuntGroup" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "extensions" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "destination" TEXT,
    "ringSec" INTEGER NOT NULL DEFAULT 30,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HuntGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ParkedCall" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "placeKind" "PlaceKind" NOT NULL,
    "place" TEXT NOT NULL,
    "groupId" UUID,
    "callerChannelId" TEXT NOT NULL,
    "callerName" TEXT NOT NULL DEFAULT '',
    "callerNumber" TEXT NOT NULL DEFAULT '',
    "parkerExtension" TEXT,
    "parkerEndpoint" TEXT,
    "method" "ParkMethod" NOT NULL,
    "state" "ParkState" NOT NULL DEFAULT 'PARKED',
    "parkedAt" TIMESTAMP(3) NOT NULL,
    "recallAt" TIMESTAMP(3),
    "timeoutAt" TIMESTAMP(3) NOT NULL,
    "recallAttempts" INTEGER NOT NULL DEFAULT 0,
    "endedAt" TIMESTAMP(3),
    "outcome" "ParkOutcome",
    "retrievedBy" TEXT,

    CONSTRAINT "ParkedCall_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ParkEvent" (
    "id" BIGSERIAL NOT NULL,
    "parkedCallId" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "ParkEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "tenantId" UUID,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Webhook" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Webhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" BIGSERIAL NOT NULL,
    "webhookId" UUID NOT NULL,
    "eventId" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_slug_key" ON "Tenant"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Extension_endpoint_key" ON "Extension"("endpoint");

-- CreateIndex
CREATE UNIQUE INDEX "Extension_tenantId_number_key" ON "Extension"("tenantId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "ParkSlot_tenantId_number_key" ON "ParkSlot"("tenantId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "Group_tenantId_name_key" ON "Group"("tenantId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "GroupMember_extensionId_key" ON "GroupMember"("extensionId");

-- CreateIndex
CREATE UNIQUE INDEX "HuntGroup_tenantId_name_key" ON "HuntGroup"("tenantId", "name");

-- CreateIndex
CREATE INDEX "ParkedCall_tenantId_state_idx" ON "ParkedCall"("tenantId", "state");

-- CreateIndex
CREATE INDEX "ParkedCall_tenantId_parkedAt_idx" ON "ParkedCall"("tenantId", "parkedAt");

-- CreateIndex
CREATE INDEX "ParkedCall_callerChannelId_idx" ON "ParkedCall"("callerChannelId");

-- CreateIndex
CREATE INDEX "ParkEvent_parkedCallId_at_idx" ON "ParkEvent"("parkedCallId", "at");

-- CreateIndex
CREATE INDEX "ParkEvent_tenantId_at_idx" ON "ParkEvent"("tenantId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "WebhookDelivery_webhookId_createdAt_idx" ON "WebhookDelivery"("webhookId", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");

-- AddForeignKey
ALTER TABLE "Tenant" ADD CONSTRAINT "Tenant_huntGroupId_fkey" FOREIGN KEY ("huntGroupId") REFERENCES "HuntGroup"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Extension" ADD CONSTRAINT "Extension_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ParkSlot" ADD CONSTRAINT "ParkSlot_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Group" ADD CONSTRAINT "Group_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Group" ADD CONSTRAINT "Group_huntGroupId_fkey" FOREIGN KEY ("huntGroupId") REFERENCES "HuntGroup"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GroupMember" ADD CONSTRAINT "GroupMember_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GroupMember" ADD CONSTRAINT "GroupMember_extensionId_fkey" FOREIGN KEY ("extensionId") REFERENCES "Extension"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GroupDestination" ADD CONSTRAINT "GroupDestination_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GroupDestination" ADD CONSTRAINT "GroupDestination_slotId_fkey" FOREIGN KEY ("slotId") REFERENCES "ParkSlot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HuntGroup" ADD CONSTRAINT "HuntGroup_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ParkedCall" ADD CONSTRAINT "ParkedCall_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ParkEvent" ADD CONSTRAINT "ParkEvent_parkedCallId_fkey" FOREIGN KEY ("parkedCallId") REFERENCES "ParkedCall"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Webhook" ADD CONSTRAINT "Webhook_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;
