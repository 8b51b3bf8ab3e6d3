-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "dialplanContexts" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "endpointPatterns" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- Existing tenants keep what they already use: their extensions' endpoints (those of the
-- strict grammar) and the contexts of their current dialplan destinations.
UPDATE "Tenant" t SET "endpointPatterns" = ARRAY(
  SELECT e."endpoint" FROM "Extension" e
  WHERE e."tenantId" = t."id" AND e."endpoint" ~ '^(PJSIP|SIP|IAX2)/[A-Za-z0-9][A-Za-z0-9_.+-]{0,79}$'
  ORDER BY e."endpoint");
UPDATE "Tenant" t SET "dialplanContexts" = ARRAY(
  SELECT DISTINCT split_part(d, ',', 1) FROM (
    SELECT t."finalDestination" AS d
    UNION ALL SELECT h."destination" FROM "HuntGroup" h WHERE h."tenantId" = t."id"
  ) x
  WHERE d ~ '^[A-Za-z0-9_-]{1,79},[A-Za-z0-9*#+]{1,40},[0-9]{1,5}$');
