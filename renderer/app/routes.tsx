// The routes table: one entry per page. Adding a page is one import and one entry here.
// `nav` entries appear in the navigation bar, in this order.
import { lazy, type ComponentType, type ReactNode } from 'react';
import { OverviewPage } from '../pages/overview/OverviewPage.js';

/**
 * A page loaded on first visit: the overview (the landing page) is in the main bundle, the others
 * (charts, config forms) come as their own chunks, so the first load parses only what it shows.
 */
function page<P extends object>(load: () => Promise<Record<string, unknown>>, name: string): ComponentType<P> {
  return lazy(async () => ({ default: (await load())[name] as ComponentType<P> }));
}
const ServersPage = page(() => import('../pages/servers/ServersPage.js'), 'ServersPage');
const ServerDetailPage = page<{ id: string }>(() => import('../pages/servers/ServerDetailPage.js'), 'ServerDetailPage');
const IncidentsPage = page(() => import('../pages/incidents/IncidentsPage.js'), 'IncidentsPage');
const IncidentDetailPage = page<{ id: string }>(() => import('../pages/incidents/IncidentDetailPage.js'), 'IncidentDetailPage');
const ConfigPage = page<{ tab: string }>(() => import('../pages/config/ConfigPage.js'), 'ConfigPage');
const ReportsPage = page(() => import('../pages/reports/ReportsPage.js'), 'ReportsPage');
const SettingsPage = page(() => import('../pages/settings/SettingsPage.js'), 'SettingsPage');

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
