-- AlterEnum
ALTER TYPE "ParkMethod" ADD VALUE 'RECOVERED';
