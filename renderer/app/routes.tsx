// The routes table: one entry per page. Adding a page is one import and one entry here.
// `nav` entries appear in the navigation bar, in this order.
import type { ReactNode } from 'react';
import { OverviewPage } from '../pages/overview/OverviewPage.js';
import { ServersPage } from '../pages/servers/ServersPage.js';
import { ServerDetailPage } from '../pages/servers/ServerDetailPage.js';
import { IncidentsPage } from '../pages/incidents/IncidentsPage.js';
import { IncidentDetailPage } from '../pages/incidents/IncidentDetailPage.js';
import { ConfigPage } from '../pages/config/ConfigPage.js';
import { ReportsPage } from '../pages/reports/ReportsPage.js';
import { SettingsPage } from '../pages/settings/SettingsPage.js';

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
  { path: '/incidents', title: 'Incidents', nav: 'Incidents', render: () => <IncidentsPage /> },
  { path: '/incidents/:id', title: 'Incident', render: (p) => <IncidentDetailPage id={p.id!} /> },
  { path: '/config', title: 'Alerting', nav: 'Alerting', render: () => <ConfigPage tab="rules" /> },
  { path: '/config/:tab', title: 'Alerting', render: (p) => <ConfigPage tab={p.tab!} /> },
  { path: '/reports', title: 'Reports', nav: 'Reports', render: () => <ReportsPage /> },
  { path: '/settings', title: 'Settings', nav: 'Settings', render: () => <SettingsPage /> },
];
