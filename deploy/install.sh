#!/usr/bin/env bash
# Installs farmvet as a systemd service: the jar and deploy/README.md in PREFIX (/opt/farmvet), the unit in
# /etc/systemd/system, the system user's sysusers.d entry, and the example config as /etc/farmvet/farmvet.yaml
# unless a config is already there. Safe to run again: it replaces the jar, the unit and the example, and never
# touches an existing farmvet.yaml or the state in /var/lib/farmvet.
#
#   deploy/install.sh [--jar FILE] [--prefix DIR]
#
#   --jar FILE     the jar to install (default: vet-daemon/target/farmvet.jar of this checkout; build it
#                  with ./mvnw -B package)
#   --prefix DIR   where the jar goes (default /opt/farmvet); the unit's ExecStart follows it
#   DESTDIR=DIR    (environment) stage everything under DIR instead of /, as packagers and tests do; no user
#                  is created, no ownership changed and systemd is not told
#
# It does not enable or start the service: see the last lines it prints.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/../vet-daemon/target/farmvet.jar"
prefix=/opt/farmvet
destdir="${DESTDIR:-}"

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --jar)
      [ $# -ge 2 ] || usage
      jar="$2"
      shift 2
      ;;
    --prefix)
      [ $# -ge 2 ] || usage
      prefix="$2"
      shift 2
      ;;
    -h | --help) usage ;;
    *)
      echo "install.sh: unknown argument: $1" >&2
      usage
      ;;
  esac
done

case "$prefix" in
  /*) prefix="${prefix%/}" ;;
  *)
    echo "install.sh: --prefix must be an absolute path, got: $prefix" >&2
    exit 2
    ;;
esac
if [ ! -f "$jar" ]; then
  echo "install.sh: no jar at $jar; build it with './mvnw -B package' or pass --jar FILE" >&2
  exit 1
fi
if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root to install into /, or set DESTDIR to stage into a directory" >&2
  exit 1
fi

# Writes SOURCE to TARGET with MODE through a temporary file in the same directory and a rename, so a
# service starting at the same moment sees the old file or the new one, never half of one.
put() {
  local mode="$1" source="$2" target="$3" tmp
  mkdir -p "$(dirname "$target")"
  tmp="$(mktemp "$target.XXXXXX")"
  cat "$source" >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$target"
}

unit_tmp="$(mktemp)"
trap 'rm -f "$unit_tmp"' EXIT
# The unit names /opt/farmvet; follow --prefix.
sed "s#/opt/farmvet/#$prefix/#g" "$here/farmvet.service" >"$unit_tmp"

put 0644 "$jar" "$destdir$prefix/farmvet.jar"
put 0644 "$here/farmvet.example.yaml" "$destdir$prefix/farmvet.example.yaml"
put 0644 "$here/README.md" "$destdir$prefix/README.md"
put 0644 "$unit_tmp" "$destdir/etc/systemd/system/farmvet.service"
put 0644 "$here/farmvet.sysusers.conf" "$destdir/usr/lib/sysusers.d/farmvet.conf"

config_dir="$destdir/etc/farmvet"
mkdir -p "$config_dir"
chmod 0750 "$config_dir"
if [ -e "$config_dir/farmvet.yaml" ]; then
  echo "install.sh: keeping the existing $config_dir/farmvet.yaml"
else
  put 0640 "$here/farmvet.example.yaml" "$config_dir/farmvet.yaml"
  echo "install.sh: installed the example config as $config_dir/farmvet.yaml: edit it before starting"
fi

if [ -z "$destdir" ]; then
  if ! getent passwd farmvet >/dev/null; then
    if command -v systemd-sysusers >/dev/null 2>&1; then
      systemd-sysusers /usr/lib/sysusers.d/farmvet.conf
    else
      useradd --system --user-group --home-dir /var/lib/farmvet --no-create-home \
        --shell /usr/sbin/nologin --comment "farmvet daemon" farmvet
    fi
  fi
  # The service reads its config and secrets through its group and cannot change them.
  chown root:farmvet "$config_dir"
  find "$config_dir" -maxdepth 1 -type f -exec chown root:farmvet {} + -exec chmod g+r,o-rwx {} +
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
  fi
fi

echo "install.sh: installed $destdir$prefix/farmvet.jar and $destdir/etc/systemd/system/farmvet.service"
if [ -z "$destdir" ]; then
  echo "next: edit /etc/farmvet/farmvet.yaml, then: systemctl enable --now farmvet && journalctl -u farmvet -f"
fi
