// The shell scripts the deployer runs on a host, one SSH session each: upload the runtime (its bytes
// on stdin, checked against the sha256 before use), install or upgrade (bundle, config and service
// definition inline, so it is one session), roll back, uninstall. All POSIX sh (dash, busybox ash).
// Scripts carrying a secret (the agent's config holds its token) are sent on stdin to `sh -s`, never
// on a command line where `ps` would show them.
import { openrcScript, supervisorScript, systemdUnit, type ServiceKind, SERVICE_USER } from './services.js';
import { shq } from './shell.js';

export interface Layout {
  dir: string;
  /** true: installed as root (own service user); false: as the login user. */
  system: boolean;
  service: ServiceKind;
}

export const dataDirOf = (dir: string) => `${dir}/data`;
export const runtimePathOf = (dir: string, sha: string, name: string) => `${dir}/runtimes/${sha}/${name}`;

/**
 * Receives the runtime on stdin (gzip or raw) to a file, checks it against the manifest's sha256
 * while unpacking it (gzip checks the unpacked size and CRC itself), and only then marks it
 * present. Hashing the received file beside the unpacking measured faster than hashing through a
 * tee while receiving (pipe buffers make the three processes wait on each other).
 */
export function uploadRuntimeCommand(o: { dir: string; sha256: string; uploadSha256: string; name: string; gzip: boolean }): string {
  const unpack = o.gzip ? 'gzip -dc "$T/.upload" > "$T/$N.part"' : 'cp "$T/.upload" "$T/$N.part"';
  return [
    'set -eu',
    `T=${shq(`${o.dir}/runtimes/${o.sha256}`)}; N=${shq(o.name)}`,
    'mkdir -p "$T"',
    'cat > "$T/.upload"',
    'sha256sum "$T/.upload" > "$T/.sum" &',
    `${unpack} || { rm -f "$T/.upload" "$T/$N.part"; echo 'cannot unpack the runtime' >&2; exit 3; }`,
    'wait $!; read -r sum rest < "$T/.sum"; rm -f "$T/.sum" "$T/.upload"',
    `if [ "$sum" != ${shq(o.uploadSha256)} ]; then rm -f "$T/$N.part"; echo "runtime checksum mismatch after upload: got $sum" >&2; exit 3; fi`,
    'chmod 755 "$T/$N.part" && mv -f "$T/$N.part" "$T/$N" && touch "$T/.ok"',
    'echo uploaded',
  ].join('\n');
}

export interface InstallInput {
  layout: Layout;
  loginUser: string;
  argv: string[];
  bundle: { base64: string; sha256: string; version: string };
  runtimeSha256: string;
  config: string;
  configSha256: string;
  target: string;
  /** musl hosts need libstdc++ for the runtime; added with apk when root. */
  musl: boolean;
}

const heredoc = (file: string, body: string, tag: string) =>
  `cat > ${file} <<'${tag}'\n${body.endsWith('\n') ? body : body + '\n'}${tag}\n`;

/** Stops whatever runs now (any of the three kinds), so a kind change never leaves two agents. */
const STOP_ALL = `
if [ -f "$D/data/supervisor.pid" ]; then kill "$(cat "$D/data/supervisor.pid")" 2>/dev/null || true; i=0; while [ -f "$D/data/supervisor.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; rm -f "$D/data/supervisor.pid" "$D/data/agent.pid"; fi
if [ "$SYSTEM" = 1 ] && [ -d /run/systemd/system ] && [ -f /etc/systemd/system/watchtower-agent.service ]; then systemctl stop watchtower-agent 2>/dev/null || true; fi
if [ "$SYSTEM" = 1 ] && [ -f /etc/init.d/watchtower-agent ] && command -v rc-service >/dev/null 2>&1; then rc-service watchtower-agent stop >/dev/null 2>&1 || true; fi
`;

const START = `
case "$KIND" in
systemd) systemctl daemon-reload && systemctl enable watchtower-agent >/dev/null 2>&1 && systemctl restart watchtower-agent ;;
openrc) rc-update add watchtower-agent default >/dev/null 2>&1; rc-service watchtower-agent restart >/dev/null ;;
user)
  if [ "$SYSTEM" = 1 ]; then su -s /bin/sh -c "setsid nohup /bin/sh '$D/supervise.sh' '$D' >/dev/null 2>&1 < /dev/null &" "$SVC_USER"
  else setsid nohup /bin/sh "$D/supervise.sh" "$D" >/dev/null 2>&1 < /dev/null & fi
  i=0; while [ ! -f "$D/data/supervisor.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
  [ -f "$D/data/supervisor.pid" ] || { echo 'the supervisor did not start' >&2; exit 5; }
  if command -v crontab >/dev/null 2>&1 && [ "$SYSTEM" = 0 ]; then
    (crontab -l 2>/dev/null | grep -v 'watchtower-agent/supervise' ; echo "@reboot /bin/sh '$D/supervise.sh' '$D' # watchtower-agent/supervise") | crontab - 2>/dev/null || true
  fi ;;
esac
`;

export function installScript(i: InstallInput): string {
  const { layout: l } = i;
  const svcUser = l.system ? SERVICE_USER : i.loginUser;
  const data = dataDirOf(l.dir);
  const files = { argv: i.argv, installDir: l.dir, dataDir: data, user: svcUser };
  const runScript = `#!/bin/sh\nexec ${i.argv.map(shq).join(' ')}\n`;
  const state = [
    `version=${i.bundle.version}`,
    `bundle_sha256=${i.bundle.sha256}`,
    `runtime_sha256=${i.runtimeSha256}`,
    `config_sha256=${i.configSha256}`,
    `service=${l.service}`,
    `target=${i.target}`,
  ].join('\n');
  const parts = [
    'set -eu',
    'umask 022',
    `D=${shq(l.dir)}; DATA=${shq(data)}; SYSTEM=${l.system ? 1 : 0}; KIND=${l.service}; SVC_USER=${shq(svcUser)}`,
    `[ -f "$D/runtimes/${i.runtimeSha256}/.ok" ] || { echo 'the runtime is not on the host (upload step missing)' >&2; exit 4; }`,
    'mkdir -p "$D" "$DATA"',
  ];
  if (l.system) {
    parts.push(
      `id "$SVC_USER" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SVC_USER" 2>/dev/null || adduser -S -D -H -h /nonexistent -s /sbin/nologin "$SVC_USER"`,
    );
    if (i.musl)
      parts.push(
        'if command -v apk >/dev/null 2>&1 && ! ls /usr/lib/libstdc++.so.6 >/dev/null 2>&1; then apk add --no-cache libstdc++ libgcc >/dev/null; fi',
      );
  }
  parts.push(
    heredoc('"$D/agent.mjs.b64"', i.bundle.base64.replace(/(.{76})/g, '$1\n'), 'WT_BUNDLE_EOF'),
    'base64 -d < "$D/agent.mjs.b64" > "$D/agent.mjs.new" && rm -f "$D/agent.mjs.b64"',
    `echo ${shq(i.bundle.sha256)}'  '"$D/agent.mjs.new" | sha256sum -c - >/dev/null 2>&1 || { rm -f "$D/agent.mjs.new"; echo 'bundle checksum mismatch' >&2; exit 3; }`,
    '(umask 077; cat > "$D/agent.json.new") <<\'WT_CONFIG_EOF\'\n' + i.config + '\nWT_CONFIG_EOF',
    heredoc('"$D/run.new"', runScript, 'WT_RUN_EOF'),
    heredoc('"$D/supervise.sh"', supervisorScript(), 'WT_SUPERVISE_EOF'),
    STOP_ALL,
    // Keep what ran before, for a rollback if the new agent does not report.
    'for f in agent.mjs agent.json run state; do [ -f "$D/$f" ] && cp -p "$D/$f" "$D/$f.prev"; done; true',
    'mv -f "$D/agent.mjs.new" "$D/agent.mjs"; mv -f "$D/agent.json.new" "$D/agent.json"; mv -f "$D/run.new" "$D/run"',
    'chmod 755 "$D/run" "$D/supervise.sh"; chmod 644 "$D/agent.mjs"',
  );
  if (l.system)
    parts.push(
      'chown -R "$SVC_USER" "$DATA"; chown root:"$SVC_USER" "$D/agent.json" 2>/dev/null || chown root "$D/agent.json"; chmod 640 "$D/agent.json"',
    );
  if (l.service === 'systemd') parts.push(heredoc('/etc/systemd/system/watchtower-agent.service', systemdUnit(files), 'WT_UNIT_EOF'));
  if (l.service === 'openrc')
    parts.push(heredoc('/etc/init.d/watchtower-agent', openrcScript(files), 'WT_OPENRC_EOF'), 'chmod 755 /etc/init.d/watchtower-agent');
  parts.push(heredoc('"$D/state"', state, 'WT_STATE_EOF'), START, 'echo installed');
  return parts.join('\n');
}

/** Puts back what ran before the last install and starts it. */
export function rollbackScript(l: Layout, loginUser: string): string {
  return [
    'set -eu',
    `D=${shq(l.dir)}; SYSTEM=${l.system ? 1 : 0}; KIND=${l.service}; SVC_USER=${shq(l.system ? SERVICE_USER : loginUser)}`,
    '[ -f "$D/agent.mjs.prev" ] || { echo "nothing to roll back to" >&2; exit 6; }',
    STOP_ALL,
    'for f in agent.mjs agent.json run state; do [ -f "$D/$f.prev" ] && mv -f "$D/$f.prev" "$D/$f"; done; true',
    START,
    'echo rolled-back',
  ].join('\n');
}

/** Stops and removes the service, the files and (system installs) the service user. */
export function uninstallScript(l: Layout): string {
  return [
    'set -u',
    `D=${shq(l.dir)}; SYSTEM=${l.system ? 1 : 0}`,
    STOP_ALL,
    'if [ "$SYSTEM" = 1 ] && [ -f /etc/systemd/system/watchtower-agent.service ]; then systemctl disable watchtower-agent >/dev/null 2>&1; rm -f /etc/systemd/system/watchtower-agent.service; systemctl daemon-reload 2>/dev/null; fi',
    'if [ "$SYSTEM" = 1 ] && [ -f /etc/init.d/watchtower-agent ]; then rc-update del watchtower-agent default >/dev/null 2>&1; rm -f /etc/init.d/watchtower-agent; fi',
    'if command -v crontab >/dev/null 2>&1 && crontab -l 2>/dev/null | grep -q watchtower-agent/supervise; then crontab -l | grep -v watchtower-agent/supervise | crontab - ; fi',
    'rm -rf "$D"',
    // The service user's processes (only the agent runs as it) must be gone before userdel.
    `if [ "$SYSTEM" = 1 ] && id ${SERVICE_USER} >/dev/null 2>&1; then`,
    `  if command -v pkill >/dev/null 2>&1; then pkill -TERM -u ${SERVICE_USER}; i=0; while pgrep -u ${SERVICE_USER} >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; pkill -KILL -u ${SERVICE_USER}; fi`,
    `  userdel ${SERVICE_USER} 2>/dev/null || deluser ${SERVICE_USER} 2>/dev/null || echo 'could not remove the service user ${SERVICE_USER}' >&2`,
    'fi',
    '[ ! -e "$D" ] && echo uninstalled',
  ].join('\n');
}
