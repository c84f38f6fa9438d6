#!/usr/bin/env bash
# govulncheck, offline: builds a Go vulnerability database from a pinned
# golang.org/x/vulndb module (its data/osv, indexed by its own cmd/indexdb)
# into a temporary directory and scans the module against it with a pinned
# govulncheck. Both come through the Go module proxy and are checked against
# the checksum database, so a run depends on nothing but the pins: a new
# advisory reaches CI only when VULNDB is bumped.
#
# Fails on any vulnerability reachable from our code, and also on any known
# vulnerability in a required module or in the toolchain's standard library
# that our code does not reach (govulncheck itself fails only on the first
# kind): each has a fixed version to move to. .ci/vulnreport.go prints them.
#
# Usage (make vuln sets these): GOVULNCHECK=golang.org/x/vuln/cmd/govulncheck@vX
#   VULNDB=golang.org/x/vulndb@vY bash .ci/vuln.sh
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
: "${GOVULNCHECK:?GOVULNCHECK (pkg@version) is set by make vuln}"
: "${VULNDB:?VULNDB (module@version) is set by make vuln}"
vulndb_version=${VULNDB#*@}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

vulndb_dir=$("$GO" mod download -json "$VULNDB" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$vulndb_dir/data/osv" ] || { echo "vuln: $VULNDB has no data/osv (dir: '$vulndb_dir')" >&2; exit 1; }

echo "== vuln: indexing $VULNDB data/osv ($(find "$vulndb_dir/data/osv" -name '*.json' | wc -l) entries)"
"$GO" run "golang.org/x/vulndb/cmd/indexdb@$vulndb_version" -vulns "$vulndb_dir/data/osv" -out "$tmp/db"

echo "== vuln: $GOVULNCHECK on $("$GO" env GOVERSION)"
"$GO" run "$GOVULNCHECK" -db "file://$tmp/db" -format json ./... >"$tmp/findings.json"
"$GO" run .ci/vulnreport.go <"$tmp/findings.json"
