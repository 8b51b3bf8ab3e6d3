/**
 * Every sound the service plays, in one place. Names are Asterisk core sounds (English);
 * a deployment can provide its own recordings under the same names.
 */
export const prompts = {
  parkedAt: (digits: string) => ['sound:vm-youhave', 'sound:parked', 'sound:at', `digits:${digits}`],
  noCallParked: ['sound:pbx-invalidpark'],
  invalidCode: ['sound:pbx-invalid'],
  parkFailed: ['sound:pbx-parkingfailed'],
  notAllowed: ['sound:ss-noservice'],
  enterPin: ['sound:agent-pass'],
  wrongPin: ['sound:auth-incorrect'],
  goodbye: ['sound:vm-goodbye'],
  returned: ['sound:pbx-parkingfailed'],
};
