// Alerting configuration: rules, escalation policies, channels, silences and the YAML view, one
// tab each (a link, so each has its own URL and the back button works).
import { ChannelsPage } from './ChannelsPage.js';
import { ConfigNav, CONFIG_TABS, type ConfigTab } from './common.js';
import { PoliciesPage } from './PoliciesPage.js';
import { RulesPage } from './RulesPage.js';
import { SilencesPage } from './SilencesPage.js';
import { YamlPage } from './YamlPage.js';

export const isConfigTab = (t: string): t is ConfigTab => CONFIG_TABS.some((c) => c.tab === t);

export function ConfigPage({ tab }: { tab: string }) {
  const current: ConfigTab = isConfigTab(tab) ? tab : 'rules';
  return (
    <section className="page">
      <h1>Alerting</h1>
      <ConfigNav current={current} />
      {current === 'rules' && <RulesPage />}
      {current === 'policies' && <PoliciesPage />}
      {current === 'channels' && <ChannelsPage />}
      {current === 'silences' && <SilencesPage />}
      {current === 'yaml' && <YamlPage />}
    </section>
  );
}
