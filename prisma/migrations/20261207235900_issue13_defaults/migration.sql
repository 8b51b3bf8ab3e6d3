-- Issue 13: group park answers both *58 and #58 by default (P4), and ring-backs ring
-- distinctively by default (C1). Only the defaults change: existing tenants keep their settings.

-- AlterTable
ALTER TABLE "Tenant" ALTER COLUMN "groupParkCodes" SET DEFAULT ARRAY['*58', '#58']::TEXT[],
ALTER COLUMN "recallAlertInfo" SET DEFAULT '<http://127.0.0.1>;info=Bellcore-dr2';
