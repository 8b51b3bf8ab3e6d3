/**
 * Every sound the service plays, in one place. Each is in Asterisk's core English sounds
 * (asterisk-core-sounds-en 1.6.1, the set Asterisk 22 installs); the service checks them at
 * connect (GET /sounds/{id}) and reports any missing one in the log and /readyz. A deployment
 * may record its own files under the same names.
 */
export const prompts = {
  /** "To call this number: <the number that retrieves the call>" (core sounds have no "parked"). */
  parkedAt: (digits: string) => ['sound:to-call-this-number', `digits:${digits}`],
  noCallParked: ['sound:pbx-invalidpark'],
  invalidCode: ['sound:pbx-invalid'],
  parkFailed: ['sound:pbx-parkingfailed'],
  notAllowed: ['sound:ss-noservice'],
  enterPin: ['sound:agent-pass'],
  wrongPin: ['sound:auth-incorrect'],
  goodbye: ['sound:vm-goodbye'],
  returned: ['sound:pbx-parkingfailed'],
};

/** The sound ids (without `sound:`) of every prompt, for the check at connect. */
export function promptSounds(): string[] {
  const media = Object.values(prompts).flatMap((p) => (typeof p === 'function' ? p('1') : p));
  return [...new Set(media.filter((m) => m.startsWith('sound:')).map((m) => m.slice('sound:'.length)))];
}
