/**
 * The fake's ARI route table: the single source for request routing and for the api-docs.
 */
import { bridgeRoutes } from './bridges';
import { channelRoutes } from './channels';
import type { Route } from './common';
import {
  applicationRoutes,
  asteriskRoutes,
  deviceStateRoutes,
  endpointRoutes,
  eventRoutes,
  playbackRoutes,
  soundRoutes,
} from './misc';

export const ROUTES: Route[] = [
  ...asteriskRoutes,
  ...endpointRoutes,
  ...channelRoutes,
  ...bridgeRoutes,
  ...playbackRoutes,
  ...soundRoutes,
  ...deviceStateRoutes,
  ...eventRoutes,
  ...applicationRoutes,
];

export type { Route };
