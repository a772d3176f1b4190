#!/bin/sh
# A test host with a real init system as PID 1: `init-host.sh boot DIR` (as root, in the foreground).
# The init (systemd, openrc-init) runs as PID 1 of its own PID, mount, UTS and cgroup namespaces; the
# network namespace is the machine's, so loopback reaches the control plane. Its root is an overlay
# over this machine's / (upper layer on a tmpfs), so what the deployer writes (service, user, files)
# never touches the machine. DIR holds files/ (copied into the overlay's root) and init (the command
# PID 1 runs), and gets pid (PID 1's PID as the machine sees it) and cgroups (the ones made for it).
set -eu
S=$2
R=$S/root

if [ "$1" = boot ]; then
  # systemd needs a cgroup tree of its own: a child of this process's cgroup in every hierarchy
  # mounted here (v1 controllers, name=systemd, cgroup2), which the cgroup namespace makes its root.
  : > "$S/cgroups"
  findmnt -rn -t cgroup,cgroup2 -o TARGET,FSTYPE,FS-OPTIONS | while read -r m type opts; do
    case "$m" in /sys/fs/cgroup | /sys/fs/cgroup/*) ;; *) continue ;; esac
    if [ "$type" = cgroup2 ]; then
      own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
    else
      own=$(awk -F: -v o="$opts" '{ n = split($2, c, ","); for (i = 1; i <= n; i++) if (index("," o ",", "," c[i] ",")) { print $3; exit } }' /proc/self/cgroup)
    fi
    d="$m${own%/}/$(basename "$S")"
    mkdir -p "$d"
    if [ -f "$d/cpuset.cpus" ] && [ -z "$(cat "$d/cpuset.cpus")" ]; then # a v1 cpuset child starts empty
      cat "$m${own%/}/cpuset.cpus" > "$d/cpuset.cpus"
      cat "$m${own%/}/cpuset.mems" > "$d/cpuset.mems"
    fi
    echo $$ > "$d/cgroup.procs"
    echo "$m $type ${opts#rw,} $d" >> "$S/cgroups"
  done
  # pdeathsig: if the test process dies, so does the host (unshare --kill-child takes systemd with it).
  exec setpriv --pdeathsig KILL -- unshare --pid --fork --mount --uts --cgroup --propagation private --kill-child -- /bin/sh "$0" init "$S"
fi

# init: PID 1 of the new PID namespace, in a private mount namespace. /proc is still the machine's.
echo "$(cut -d' ' -f4 /proc/self/stat)" > "$S/pid"
mount -t tmpfs -o mode=755 wt-upper "$S/rw"
mkdir -p "$S/rw/upper" "$S/rw/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$S/rw/upper,workdir=$S/rw/work" "$R"
cp -a "$S/files/." "$R/"
cp "$S/init" "$R/etc/wt-init"

mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
# The same cgroup layout as here, each hierarchy mounted fresh (rooted at the namespace's cgroup).
if [ "$(findmnt -rn -o FSTYPE /sys/fs/cgroup)" != cgroup2 ]; then mount -t tmpfs -o mode=755 cgroup "$R/sys/fs/cgroup"; fi
while read -r m type opts _; do
  mkdir -p "$R$m"
  if [ "$type" = cgroup2 ]; then mount -t cgroup2 cgroup2 "$R$m"; else mount -t cgroup -o "$opts" cgroup "$R$m"; fi
done < "$S/cgroups"

# A minimal /dev (no disks): the nodes a container gets, a private devpts, and a console that is a log file.
mount -t tmpfs -o mode=755,nosuid dev "$R/dev"
for n in null zero full random urandom tty; do
  touch "$R/dev/$n"
  mount --bind "/dev/$n" "$R/dev/$n"
done
touch "$R/dev/console"
mount --bind "$S/console.log" "$R/dev/console"
mkdir "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
mount -t tmpfs -o mode=1777 tmp "$R/tmp"
mount -t tmpfs -o mode=755 run "$R/run"

cd "$R"
mkdir -p .oldroot
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
# container=: systemd skips what only a real machine does (udev, kernel file systems, the console).
export container=other
# shellcheck disable=SC2046 # the command's words
exec $(cat /etc/wt-init)
