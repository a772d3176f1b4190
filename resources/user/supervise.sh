#!/bin/sh
# Watchtower agent supervisor, for hosts where the deployer cannot register a service (no systemd or
# OpenRC, or no root). It runs as the login user, restarts the agent when it exits (1 s, doubling to
# 60 s, back to 1 s after a minute of uptime) and keeps agent.log under 5 MB (one old file).
# Limits: it does not start at boot by itself (the deployer adds an @reboot crontab line when
# crontab exists), it has no resource limits beyond the user's, and it dies with a reboot or an
# OOM kill of itself; the next deploy run notices and starts it again.
D="$1"
echo $$ > "$D/data/supervisor.pid"
child=
stop() {
	trap - TERM INT HUP
	[ -n "$child" ] && kill "$child" 2>/dev/null && wait "$child" 2>/dev/null
	rm -f "$D/data/supervisor.pid" "$D/data/agent.pid"
	exit 0
}
trap stop TERM INT HUP
delay=1
while :; do
	if [ -f "$D/data/agent.log" ] && [ "$(wc -c < "$D/data/agent.log")" -gt 5242880 ]; then
		mv -f "$D/data/agent.log" "$D/data/agent.log.1"
	fi
	started=$(date +%s)
	"$D/run" >> "$D/data/agent.log" 2>&1 &
	child=$!
	echo "$child" > "$D/data/agent.pid"
	wait "$child"
	code=$?
	child=
	[ $(( $(date +%s) - started )) -ge 60 ] && delay=1
	echo "$(date -u '+%Y-%m-%dT%H:%M:%SZ') supervisor: agent exited with $code, restarting in ${delay}s" >> "$D/data/agent.log"
	sleep "$delay" &
	wait $!
	delay=$(( delay * 2 ))
	[ "$delay" -gt 60 ] && delay=60
done
