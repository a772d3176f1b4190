// The routes table: one entry per page. Adding a page is one import and one entry here.
// `nav` entries appear in the navigation bar, in this order.
import type { ReactNode } from 'react';
import { OverviewPage } from '../pages/overview/OverviewPage.js';
import { ServersPage } from '../pages/servers/ServersPage.js';
import { ServerDetailPage } from '../pages/servers/ServerDetailPage.js';

export interface RouteDef {
  path: string;
  title: string;
  /** Shown in the navigation bar with this label. */
  nav?: string;
  render: (params: Record<string, string>) => ReactNode;
}

export const routes: RouteDef[] = [
  { path: '/', title: 'Overview', nav: 'Overview', render: () => <OverviewPage /> },
  { path: '/servers', title: 'Servers', nav: 'Servers', render: () => <ServersPage /> },
  { path: '/servers/:id', title: 'Server', render: (p) => <ServerDetailPage id={p.id!} /> },
  // D2's pages (incidents, rules, policies, channels, silences, config, reports, settings) go below.
];
