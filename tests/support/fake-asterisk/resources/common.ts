/**
 * Helpers shared by the ARI resource handlers.
 */
import type { Engine } from '../engine';
import { AriError, err } from '../errors';
import type { AriResult, ParamDecl, RouteDecl } from '../route-types';
import type { Channel } from '../state';

export type Route = RouteDecl<Engine>;

export const ok = (body: unknown): AriResult => ({ status: 200, body });
export const noContent = (): AriResult => ({ status: 204 });
export const created = (url: string, body: unknown): AriResult => ({
  status: 201,
  body,
  headers: { Location: `/ari${url}` },
});

/** Parameter declaration helpers. */
export const path = (name: string, description?: string, required: boolean | undefined = true): ParamDecl => ({
  name,
  paramType: 'path',
  dataType: 'string',
  required,
  allowMultiple: false,
  description,
});
export const q = (
  name: string,
  dataType: ParamDecl['dataType'] = 'string',
  extra: Partial<ParamDecl> = {},
): ParamDecl => ({ name, paramType: 'query', dataType, required: false, allowMultiple: false, ...extra });
export const body = (name: string, required = false): ParamDecl => ({
  name,
  paramType: 'body',
  dataType: 'containers',
  required,
  allowMultiple: false,
});

/**
 * find_control() in res/ari/resource_channels.c: 404 "Channel not found" when no channel has
 * that uniqueid or name, 409 "Channel not in Stasis application" when it is not in Stasis.
 * The Stasis control is looked up by uniqueid only, so a channel *name* gives 409.
 */
export function findControl(engine: Engine, id: string | undefined): Channel {
  const ch = id ? engine.channel(id) : undefined;
  if (ch && ch.stasis && !ch.dead) return ch;
  const any = id ? engine.channelByNameOrId(id) : undefined;
  if (!any || any.dead) throw err(404, 'Channel not found');
  throw err(409, 'Channel not in Stasis application', 'Conflict');
}

/** channel_state_invalid(): Down, Rsrved and Ringing channels refuse media and state operations. */
export function checkState(ch: Channel): void {
  if (ch.state === 'Down' || ch.state === 'Rsrved' || ch.state === 'Ringing') {
    throw err(412, 'Channel in invalid state', 'Precondition Failed');
  }
}

/**
 * json_to_ast_variables() (resource_channels.c): "variables" values are strings, or objects
 * {"value": "...", "report_events": true|false}.
 */
export function parseVariables(
  bodyJson: unknown,
  allowObjects = true,
): { vars: Array<[string, string]>; report: string[] } {
  const vars: Array<[string, string]> = [];
  const report: string[] = [];
  if (!bodyJson || typeof bodyJson !== 'object') return { vars, report };
  const v = (bodyJson as Record<string, unknown>).variables;
  if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) return { vars, report };
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    if (key === '') continue;
    if (typeof value === 'string') {
      vars.push([key, value]);
    } else if (allowObjects && value && typeof value === 'object' && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      if (typeof o.value !== 'string') {
        throw err(400, "Each object value in 'variables' must include string field 'value'");
      }
      if (o.report_events !== undefined && typeof o.report_events !== 'boolean') {
        throw err(400, "Field 'report_events' in 'variables' entries must be boolean");
      }
      vars.push([key, o.value]);
      if (o.report_events === true) report.push(key);
    } else if (!allowObjects) {
      throw err(400, "Only string values in the 'variables' object allowed");
    } else {
      throw err(
        400,
        "Each value in 'variables' must be a string or an object with 'value' and optional 'report_events'",
      );
    }
  }
  return { vars, report };
}

export { AriError, err };
