#!/usr/bin/env bash
# Checks everything in deploy/: the Prometheus rules, their unit tests and the scrape config (promtool), a
# scrape of farmvet's metrics (promtool check metrics on vet-daemon/target/metrics-sample.prom, which
# FarmMetricsTest writes, so run ./mvnw verify first), the install script (run twice into a temporary root)
# and the unit it installs (systemd-analyze verify, and its exposure score: systemd-analyze security), the shell scripts (bash -n, shellcheck) and the Grafana
# dashboard (JSON, and each PromQL query through promtool). Installs promtool and systemd-analyze with
# apt-get when they are missing. Exits non-zero on the first failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
sample="$root/vet-daemon/target/metrics-sample.prom"

step() { echo "== deploy/check.sh: $*"; }
fail() {
  echo "deploy/check.sh: FAILED: $*" >&2
  exit 1
}

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} (for promtool and systemd-analyze)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "promtool check rules, test rules"
promtool check rules "$here/prometheus/farmvet.rules.yml"
(cd "$here/prometheus" && promtool test rules farmvet.rules.test.yml)

step "promtool check config prometheus/scrape.yml"
# The command the file's own comment gives, on the file as shipped.
(cd "$here/prometheus" && promtool check config --syntax-only scrape.yml)
# A full check stats the bearer token file: check a copy that points at a throwaway one.
cp "$here/prometheus/farmvet.rules.yml" "$work/"
echo "token" >"$work/metrics.token"
sed "s#/etc/prometheus/farmvet-metrics.token#$work/metrics.token#" "$here/prometheus/scrape.yml" >"$work/scrape.yml"
promtool check config "$work/scrape.yml"

step "promtool check metrics < ${sample#"$root"/}"
[ -s "$sample" ] || fail "$sample is missing: FarmMetricsTest writes it; run ./mvnw -B verify first"
# promtool prints lint problems and exits non-zero; any output at all is a problem too.
lint="$(promtool check metrics <"$sample" 2>&1)" || fail "promtool check metrics: $lint"
[ -z "$lint" ] || fail "promtool check metrics: $lint"
grep -q '^farmvet_vet_duration_seconds_bucket{' "$sample" || fail "no farm-vet histogram in $sample"

step "install.sh into a temporary root, twice"
dest="$work/root"
echo "not a real jar" >"$work/farmvet.jar"
DESTDIR="$dest" "$here/install.sh" --jar "$work/farmvet.jar" >/dev/null
echo "# edited by the operator" >>"$dest/etc/farmvet/farmvet.yaml"
DESTDIR="$dest" "$here/install.sh" --jar "$work/farmvet.jar" >/dev/null
for f in opt/farmvet/farmvet.jar opt/farmvet/README.md opt/farmvet/farmvet.example.yaml \
  etc/systemd/system/farmvet.service usr/lib/sysusers.d/farmvet.conf etc/farmvet/farmvet.yaml; do
  [ -f "$dest/$f" ] || fail "install.sh did not install /$f"
done
tail -n 1 "$dest/etc/farmvet/farmvet.yaml" | grep -q '^# edited by the operator$' ||
  fail "install.sh replaced an existing /etc/farmvet/farmvet.yaml"
[ "$(stat -c %a "$dest/etc/farmvet")" = 750 ] || fail "/etc/farmvet is not mode 750"
[ "$(stat -c %a "$dest/etc/farmvet/farmvet.yaml")" = 640 ] || fail "/etc/farmvet/farmvet.yaml is not mode 640"
DESTDIR="$dest" "$here/install.sh" --jar "$work/farmvet.jar" --prefix /srv/farmvet >/dev/null
grep -q -- '-jar /srv/farmvet/farmvet.jar run' "$dest/etc/systemd/system/farmvet.service" ||
  fail "install.sh --prefix did not move the unit's ExecStart"
DESTDIR="$dest" "$here/install.sh" --jar "$work/farmvet.jar" >/dev/null

step "systemd-analyze verify on the installed unit"
# verify resolves ExecStart's program on this machine: /usr/bin/java, which a JDK's alternatives provide.
# The jar is only an argument to it, so the throwaway jar above is enough. On a machine whose JDK is not
# behind /usr/bin/java, check a copy whose ExecStart names the java on the PATH.
unit="$dest/etc/systemd/system/farmvet.service"
if [ ! -x /usr/bin/java ]; then
  java_bin="$(command -v java)" || fail "no java on this machine for the unit's ExecStart"
  mkdir -p "$work/unit"
  sed "s#^ExecStart=/usr/bin/java #ExecStart=$java_bin #" "$unit" >"$work/unit/farmvet.service"
  unit="$work/unit/farmvet.service"
  echo "(no /usr/bin/java here: verifying with ExecStart=$java_bin)"
fi
# systemd-analyze only warns about unknown keys and exits 0: any output is a failure.
verify="$(systemd-analyze verify "$unit" 2>&1)" || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify: $verify"

step "systemd-analyze security --offline=yes farmvet.service"
# Scores the unit's sandboxing from the file alone, no running systemd needed (systemd 250+). 1.7 "OK" when
# written; the threshold (in tenths) fails the check if a change lets the exposure rise above 2.0.
systemd-analyze security --offline=yes --threshold=20 --no-pager "$here/farmvet.service" | tail -n 1 ||
  fail "systemd-analyze security: the unit's exposure is above 2.0"

step "shell scripts: bash -n, shellcheck"
for script in "$here/install.sh" "$here/check.sh"; do
  bash -n "$script"
done
if command -v shellcheck >/dev/null 2>&1; then
  shellcheck "$here/install.sh" "$here/check.sh"
else
  echo "(shellcheck is not installed: skipped; apt-get install shellcheck to run it)"
fi

step "grafana/farmvet.json: JSON, and every PromQL query"
python3 -m json.tool "$here/grafana/farmvet.json" >/dev/null
# Each query becomes a recording rule (with the dashboard's variables filled in) so promtool parses it.
python3 - "$here/grafana/farmvet.json" "$work/dashboard.rules.yml" <<'PY'
import json, sys

dashboard = json.load(open(sys.argv[1]))
exprs = []
def walk(panels):
    for panel in panels:
        walk(panel.get("panels", []))
        for target in panel.get("targets", []):
            exprs.append((panel["title"], target["expr"]))
walk(dashboard["panels"])
if not exprs:
    sys.exit("no queries in the dashboard")
with open(sys.argv[2], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, (title, expr) in enumerate(exprs):
        expr = expr.replace("$window", "6h").replace("$farm", ".*")
        out.write(f"      - record: dashboard:query{i}\n        expr: {json.dumps(expr)}\n")
print(f"{len(exprs)} queries")
PY
promtool check rules "$work/dashboard.rules.yml" >/dev/null || fail "a dashboard query does not parse"

echo "deploy/check.sh: all checks passed"
