// A realistic config-as-code document for the tests: every kind, every rule kind, both secret kinds.
export const WEBHOOK_SECRET = 'whsec-3f9a1c7e5b';
export const SMTP_PASSWORD = 'hunter2-smtp-pass';

export const DOCUMENT = `
version: 1
channels:
  - name: ops-webhook
    type: webhook
    settings:
      url: https://hooks.example.com/watchtower
      secret: ${WEBHOOK_SECRET}
      headers: { X-Team: ops }
  - name: ops-email
    type: email
    settings:
      host: smtp.example.com
      port: 465
      secure: true
      user: alerts@example.com
      password: ${SMTP_PASSWORD}
      from: Watchtower <alerts@example.com>
      to: [oncall@example.com, lead@example.com]
policies:
  - name: oncall
    levels:
      - channels: [ops-webhook]
      - delay: 15m
        channels: [ops-email, ops-webhook]
    repeat: 2
    minInterval: 10m
rules:
  - name: High CPU
    kind: threshold
    metric: cpu.usage
    match: { cpu: total }
    aggregate: avg
    window: 5m
    op: '>'
    value: 90
    clear: 80
    for: 10m
    severity: critical
    policy: oncall
    description: CPU at {{value}}% on {{host}}
  - name: Disk filling
    kind: rate
    metric: disk.used
    window: 1h
    op: '>'
    value: 1048576
    for: 30m
    scope: { labels: { env: prod } }
    policy: oncall
  - name: Host down
    kind: heartbeat
    after: 90
    severity: critical
    policy: oncall
  - name: OOM killer
    kind: event
    eventKind: log
    source: ^/var/log/(kern|syslog)
    pattern: 'Out of memory: Killed process \\d+'
    minLevel: warning
    autoResolve: false
silences:
  - name: Nightly backups
    matchers: { rules: [Disk filling], labels: { env: prod } }
    startsAt: 2025-01-01T00:00:00Z
    endsAt: 2026-01-01T00:00:00Z
    recurring: { days: [1, 2, 3, 4, 5], from: '02:00', to: '03:30' }
    comment: backup window
`;

/** A minimal valid document around the given rules (YAML list items, already indented). */
export const withRules = (rules: string) => `version: 1\nrules:\n${rules}`;
