import type { ServiceContext } from './context';
import { promptSounds } from './prompts';

/** What the service found missing on the Asterisk it connected to; empty lists when all is well. */
export interface AsteriskSetupReport {
  /** res_parking, the dialplan's fallback when the service is down (O3): null when it is running. */
  parkingFallback: string | null;
  /** Prompts the service plays that Asterisk does not have (the person would hear nothing). */
  missingSounds: string[];
}

export const PARKING_MODULE = 'res_parking.so';

/**
 * Checks, at every (re)connection, what the service and its dialplan rely on: res_parking
 * (loaded only when res_parking.conf is there) and every prompt's sound file. A missing piece
 * does not stop parking through the service, so it is logged and reported (in /readyz), not fatal.
 * ARI cannot read res_parking's lots, so the `default` lot itself is not checked.
 */
export async function checkAsteriskSetup(ctx: ServiceContext): Promise<AsteriskSetupReport> {
  const [parkingLoaded, sounds] = await Promise.all([
    ctx.ari.moduleLoaded(PARKING_MODULE),
    Promise.all(promptSounds().map(async (id) => ({ id, exists: await ctx.ari.soundExists(id) }))),
  ]);
  const report: AsteriskSetupReport = {
    parkingFallback: parkingLoaded
      ? null
      : `${PARKING_MODULE} is not loaded: while this service is down, parked calls are not parked by Asterisk (install asterisk-conf/res_parking.conf)`,
    missingSounds: sounds.filter((s) => !s.exists).map((s) => s.id),
  };
  if (report.parkingFallback) ctx.log.error({ module: PARKING_MODULE }, report.parkingFallback);
  if (report.missingSounds.length > 0) {
    ctx.log.error({ missingSounds: report.missingSounds }, 'prompts missing on Asterisk: callers would hear nothing for them (install asterisk-core-sounds-en)');
  }
  return report;
}
