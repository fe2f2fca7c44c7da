#!/bin/bash
# tests/package/run.sh: the Debian package, end to end, as root on this
# machine, the way a new user installs it.
#
# Builds collectd-cxone_*.deb with dpkg-buildpackage from a copy of the
# tree (the tree and ./build stay as they are), runs lintian on it,
# installs it with apt-get, puts a tenant against cxone-sim (127.0.0.1, a
# free port) into the package's /etc/collectd/collectd.conf.d/cxone.conf
# with its secrets in /etc/collectd/cxone/, checks it with
# "cxone-query -c /etc/collectd/collectd.conf check" (found through the
# stock Include; a secret file open to others draws a warning), runs
# collectd as the Debian service does (collectd -C /etc/collectd/collectd.conf
# -f) until the plugin's values reach csv files, stops it, purges the
# package and checks that nothing of it is left.
#
# collectd-core ships no /etc/collectd/collectd.conf: the test writes one
# with the stock layout (the <Include "/etc/collectd/collectd.conf.d">
# Filter "*.conf" block) and a csv writer into its work directory, and
# removes it afterwards (a collectd.conf already there is put back).
# Everything it starts or changes is undone on exit, failure included; the
# work directory is kept when a check failed.  Last line: "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
pkg=collectd-cxone
conf=/etc/collectd/collectd.conf
confd=/etc/collectd/collectd.conf.d
secrets=/etc/collectd/cxone

passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
# check NAME CMD...: one check, by CMD's exit status.
check() {
  local name=$1
  shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
finish() {
  echo "$passed passed, $failed failed"
  exit $((failed > 0))
}

if [ "$(id -u)" -ne 0 ]; then
  echo "package test: needs root (apt-get install, /etc/collectd); skipped"
  finish
fi
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q installed; then
  bad "$pkg is installed already: the test would replace and purge it"
  finish
fi

work=$(mktemp -d /tmp/cxone-pkg.XXXXXX)
sim_pid=
collectd_pid=
conf_saved=0
conf_written=0
cleanup() {
  [ -n "$collectd_pid" ] && kill "$collectd_pid" 2>/dev/null && wait "$collectd_pid"
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid"
  rm -f "$secrets"/pkgtest-*.secret
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q installed; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$pkg" >>"$work/apt.log" 2>&1
  fi
  [ $conf_written -eq 1 ] && rm -f "$conf"
  [ $conf_saved -eq 1 ] && mv "$work/collectd.conf.saved" "$conf"
  if [ $failed -eq 0 ]; then rm -rf "$work"; else echo "work directory: $work"; fi
}
trap cleanup EXIT
trap 'bad interrupted; echo "$passed passed, $failed failed"; exit 1' INT TERM

# ---- build, from a copy: the tracked and untracked (not ignored) files ----
mkdir "$work/src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$top" ls-files -z -co --exclude-standard |
    tar -C "$top" --null -T - -cf - | tar -xf - -C "$work/src"
else # a release tarball
  tar -C "$top" --exclude='./build*' -cf - . | tar -xf - -C "$work/src"
fi
start=$(date +%s)
(cd "$work/src" && nice dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
version=$(sed -n 's/^AC_INIT(\[collectd-cxone\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
deb="$work/${pkg}_${version}_$(dpkg --print-architecture).deb"
check "dpkg-buildpackage builds $(basename "$deb") ($(($(date +%s) - start)) s)" test -f "$deb"
if [ ! -f "$deb" ]; then tail -n 30 "$work/build.log"; finish; fi
lintian_clean() {
  lintian --fail-on error,warning "$deb" >"$work/lintian.log" 2>&1 ||
    { cat "$work/lintian.log"; return 1; }
}
check "lintian: no error or warning" lintian_clean

# ---- install ----
# What the package holds that is on the machine already (shared directories).
dpkg-deb --fsys-tarfile "$deb" | tar -tf - | sed -e 's|^\./|/|' -e 's|/$||' |
  grep -v '^/*$' >"$work/deb.list"
while read -r p; do [ -e "$p" ] && echo "$p"; done <"$work/deb.list" >"$work/before.list"
installed() { dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >"$work/apt.log" 2>&1
check "apt-get install $(basename "$deb")" installed
if ! installed; then
  tail -n 20 "$work/apt.log"
  finish
fi
check "cxone.so in collectd's plugin directory, no .la" \
  test -f /usr/lib/collectd/cxone.so -a ! -e /usr/lib/collectd/cxone.la
check "cxone-query --version is $version" \
  test "$(cxone-query --version)" = "cxone-query $version"
check "cxone-sim --version is $version" \
  test "$(cxone-sim --version)" = "cxone-sim $version"
check "manual pages collectd-cxone(5), cxone-query(1), cxone-sim(1)" \
  test -f /usr/share/man/man5/collectd-cxone.5.gz -a \
  -f /usr/share/man/man1/cxone-query.1.gz -a -f /usr/share/man/man1/cxone-sim.1.gz
check "dashboards and examples" \
  test -f /usr/share/collectd-cxone/dashboards/graphite/cxone-wallboard.json -a \
  -f /usr/share/doc/$pkg/examples/cxone-sim.conf
check "$confd/cxone.conf is a conffile" \
  grep -q "$confd/cxone.conf" /var/lib/dpkg/info/$pkg.conffiles
check "$confd/cxone.conf is all comments" \
  test -z "$(grep -v -E '^[[:space:]]*(#|$)' "$confd/cxone.conf")"
check "$secrets is root's only (drwx------ root)" \
  test "$(stat -c '%A %U' "$secrets")" = "drwx------ root"

# ---- the stock layout, a tenant in conf.d against cxone-sim ----
if [ -e "$conf" ]; then mv "$conf" "$work/collectd.conf.saved" && conf_saved=1; fi
mkdir "$work/csv" "$work/var"
conf_written=1
cat >"$conf" <<EOF
# Written by tests/package/run.sh (removed when it ends): the stock
# collectd.conf's layout with a csv writer instead of rrdtool.
Hostname "pkgtest-host"
FQDNLookup false
BaseDir "$work/var"
AutoLoadPlugin false
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File STDOUT
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$work/csv"
  StoreRates false
</Plugin>
<Include "$confd">
  Filter "*.conf"
</Include>
EOF
cxone-sim --listen 127.0.0.1:0 --tls-dir "$work/tls" --agents 8 --teams 2 \
  --time-scale 0.01 --seed 12 >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do grep -q listening "$work/sim.log" && break; sleep 0.1; done
url=$(sed -n 's/^cxone-sim: listening on //p' "$work/sim.log")
check "cxone-sim listening on 127.0.0.1 ($url)" test -n "$url"
(umask 077 && printf '%s\n' 'sim+client/secret==' >"$secrets/pkgtest-client.secret" &&
  printf '%s\n' 'sim/access+key=secret==' >"$secrets/pkgtest-key.secret")
cat >"$confd/cxone.conf" <<EOF
LoadPlugin cxone
<Plugin cxone>
  <Tenant "pkgtest">
    Issuer "$url"
    ClientId "sim-client"
    ClientSecretFile "$secrets/pkgtest-client.secret"
    AccessKeyId "SIMKEYID+/=="
    AccessKeySecretFile "$secrets/pkgtest-key.secret"
    CACert "$work/tls/ca.pem"
    Interval 2
  </Tenant>
</Plugin>
EOF
query_check() {
  cxone-query -c "$conf" check >"$work/query.out" 2>"$work/query.err"
}
check "cxone-query -c $conf check finds the tenant in conf.d and passes" \
  query_check
check "... without a warning about the secret files (0600)" \
  test -z "$(grep -i 'group or others' "$work/query.err")"
[ $failed -eq 0 ] || cat "$work/query.out" "$work/query.err"
chmod 644 "$secrets/pkgtest-key.secret"
query_check
check "cxone-query check warns about a secret file others can read" \
  grep -q "pkgtest-key.secret\" is accessible to group or others" "$work/query.err"
chmod 600 "$secrets/pkgtest-key.secret"

# ---- collectd as the service runs it ----
collectd -C "$conf" -f >"$work/collectd.log" 2>&1 &
collectd_pid=$!
values() {
  ls "$work"/csv/pkgtest/cxone-all/count-Available-* >/dev/null 2>&1 &&
    ls "$work"/csv/pkgtest/cxone-api/gauge-up-* >/dev/null 2>&1
}
for _ in $(seq 60); do values && break; sleep 0.5; done
check "collectd -C $conf -f: the plugin's values arrive (csv pkgtest/cxone-*)" values
up_is_1() { tail -n 1 "$work"/csv/pkgtest/cxone-api/gauge-up-* | grep -q ',1\.0*$'; }
check "api/gauge-up is 1" up_is_1
kill "$collectd_pid"
wait "$collectd_pid"
rc=$?
collectd_pid=
check "collectd stops on SIGTERM (exit status $rc)" test $rc -eq 0
check "collectd logged no error" test -z "$(grep -i 'error' "$work/collectd.log")"
[ $failed -eq 0 ] || tail -n 30 "$work/collectd.log"

# ---- purge: nothing of the package is left ----
rm -f "$secrets"/pkgtest-*.secret
dpkg -L "$pkg" | grep -v '^/\.$' >"$work/installed.list"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$pkg" >>"$work/apt.log" 2>&1
check "apt-get purge $pkg" test -z "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep installed)"
left() {
  local p n=0
  while read -r p; do
    if [ -e "$p" ] && ! grep -qxF "$p" "$work/before.list"; then
      echo "  left: $p"
      n=$((n + 1))
    fi
  done <"$work/installed.list"
  [ $n -eq 0 ]
}
check "every file and directory of the package is gone ($(wc -l <"$work/installed.list") paths)" left
check "the conffile is gone" test ! -e "$confd/cxone.conf"
finish
