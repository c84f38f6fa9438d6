#!/usr/bin/env bash
# sync.sh re-derives the bundled JSON-LD contexts from the npm packages that
# publish them and checks every file in ld/ against the SHA-256 recorded in
# manifest.json.
#
# usage: contexts/sync.sh [--write]
#
# manifest.json is the single list of what we ship. Each entry's "source" is
# either
#   npm:<package>@<exact version>:<path in package>
#       a .json/.jsonld file is copied byte for byte; a .js file is a CommonJS
#       module exporting the context object, which is written as JSON
#       (2-space indent, trailing newline)
#   spec:<note>
#       written by hand from the specification's term definitions; only its
#       hash is checked (contexts_test.go proves it expands like the reference)
#
# Without --write any difference (a re-derived file that differs from ld/, or
# a hash that differs from the manifest) is an error. With --write, ld/ and
# the manifest hashes are updated to what was derived.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
write=0
case "${1:-}" in
  "") ;;
  --write) write=1 ;;
  *) echo "usage: $0 [--write]" >&2; exit 2 ;;
esac

command -v node >/dev/null || { echo "sync.sh: node is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "sync.sh: npm is required" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every package@version named by an npm source, once each.
mapfile -t pkgs < <(node -e '
  const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const seen = new Set();
  for (const e of m) {
    if (!e.source.startsWith("npm:")) continue;
    const rest = e.source.slice(4);
    const at = rest.indexOf("@", 1);
    const colon = rest.indexOf(":", at);
    if (at < 0 || colon < 0) throw new Error(`${e.url}: bad npm source ${e.source}`);
    seen.add(rest.slice(0, colon));
  }
  for (const p of [...seen].sort()) console.log(p);
' "$here/manifest.json")

echo "installing ${#pkgs[@]} packages: ${pkgs[*]}"
(
  cd "$tmp"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --ignore-scripts --save-exact "${pkgs[@]}" >/dev/null
)

node - "$here" "$tmp" "$write" <<'EOF'
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

const [here, tmp, write] = process.argv.slice(2);
const manifestPath = path.join(here, "manifest.json");
const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
const sha = (b) => crypto.createHash("sha256").update(b).digest("hex");

let problems = 0;
const fail = (msg) => { console.error("MISMATCH " + msg); problems++; };
const shipped = new Set(["README.md"]);

for (const e of manifest) {
  const file = path.join(here, "ld", e.file);
  shipped.add(e.file);
  let bytes;
  if (e.source.startsWith("npm:")) {
    const rest = e.source.slice(4);
    const at = rest.indexOf("@", 1);
    const colon = rest.indexOf(":", at);
    const name = rest.slice(0, at);
    const version = rest.slice(at + 1, colon);
    const rel = rest.slice(colon + 1);
    const pkgDir = path.join(tmp, "node_modules", name);
    const got = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")).version;
    if (got !== version) {
      fail(`${e.url}: npm installed ${name}@${got}, manifest pins ${version}`);
      continue;
    }
    const src = path.join(pkgDir, rel);
    if (rel.endsWith(".js")) {
      const ctx = require(src);
      if (!ctx || typeof ctx !== "object" || !ctx["@context"]) {
        fail(`${e.url}: ${e.source} does not export a context object`);
        continue;
      }
      bytes = Buffer.from(JSON.stringify(ctx, null, 2) + "\n");
    } else {
      bytes = fs.readFileSync(src);
      JSON.parse(bytes.toString("utf8")); // must at least be JSON
    }
    const have = fs.existsSync(file) ? fs.readFileSync(file) : null;
    if (have === null || !have.equals(bytes)) {
      if (write === "1") {
        fs.writeFileSync(file, bytes);
        console.log(`wrote ld/${e.file} from ${e.source}`);
      } else {
        fail(`${e.url}: ld/${e.file} differs from ${e.source}`);
        continue;
      }
    }
  } else if (e.source.startsWith("spec:")) {
    if (!fs.existsSync(file)) {
      fail(`${e.url}: hand-written ld/${e.file} is missing`);
      continue;
    }
    bytes = fs.readFileSync(file);
    JSON.parse(bytes.toString("utf8"));
  } else {
    fail(`${e.url}: unknown source kind ${e.source}`);
    continue;
  }
  const sum = sha(bytes);
  if (sum !== e.sha256) {
    if (write === "1") {
      console.log(`sha256 ${e.file}: ${e.sha256 || "(none)"} -> ${sum}`);
      e.sha256 = sum;
    } else {
      fail(`${e.url}: ld/${e.file} sha256 ${sum}, manifest records ${e.sha256}`);
      continue;
    }
  }
  console.log(`ok ${e.sha256} ${e.file}`);
}

for (const f of fs.readdirSync(path.join(here, "ld"))) {
  if (!shipped.has(f)) fail(`ld/${f} is not listed in manifest.json`);
}

if (write === "1") {
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
}
if (problems > 0) {
  console.error(`sync.sh: ${problems} problem(s); run with --write only if the change is intended`);
  process.exit(1);
}
console.log(`sync.sh: ${manifest.length} contexts checked`);
EOF
