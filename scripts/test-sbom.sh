#!/usr/bin/env bash
# Checks scripts/sbom.sh: on this repository it writes valid CycloneDX 1.5 JSON listing every
# resolved Swift package (version, 40-hex revision, pkg:swift purl) and Debian packages
# (pkg:deb/debian purl); a dependency pinned to a branch or a bare revision makes it exit
# non-zero naming the package. Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "test-sbom: FAIL: $*" >&2; exit 1; }

"$root/scripts/sbom.sh" --output "$work/sbom.cdx.json" 2>"$work/log" || { cat "$work/log" >&2; fail "sbom.sh failed on the repository"; }
python3 - "$work/sbom.cdx.json" "$root/Package.resolved" <<'PY' || fail "the SBOM is not what it should be"
import json, re, sys
bom = json.load(open(sys.argv[1]))
pins = json.load(open(sys.argv[2]))["pins"]
problems = []
def check(condition, message):
    if not condition: problems.append(message)
check(bom.get("bomFormat") == "CycloneDX", "bomFormat")
check(bom.get("specVersion") == "1.5", "specVersion")
check(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", bom.get("serialNumber", "")), "serialNumber")
check(bom.get("metadata", {}).get("component", {}).get("name") == "apex", "metadata.component")
components = bom.get("components", [])
swift = {c["name"]: c for c in components if c.get("purl", "").startswith("pkg:swift/")}
debs = [c for c in components if c.get("purl", "").startswith("pkg:deb/debian/")]
check(set(swift) == {p["identity"] for p in pins}, f"Swift components {sorted(swift)} are not the resolved pins")
for pin in pins:
    c = swift.get(pin["identity"])
    if not c: continue
    check(c["version"] == pin["state"]["version"], f"{pin['identity']} version")
    check(c["purl"].endswith("@" + pin["state"]["version"]) and c["purl"].count("/") >= 3, f"{pin['identity']} purl {c['purl']}")
    revision = {p["name"]: p["value"] for p in c.get("properties", [])}.get("swift:revision", "")
    check(re.fullmatch(r"[0-9a-f]{40}", revision) and revision == pin["state"]["revision"], f"{pin['identity']} revision")
    check(c.get("type") == "library" and c.get("bom-ref") == c["purl"], f"{pin['identity']} type/bom-ref")
check(any(c["name"] == "libc6" for c in debs), "no libc6 among the Debian packages")
for c in debs:
    check(re.fullmatch(r"pkg:deb/debian/[a-z0-9][a-z0-9.+-]*@[^?]+\?arch=[a-z0-9]+.*", c["purl"].replace("%2B", "+")), f"deb purl {c['purl']}")
refs = {c["bom-ref"] for c in components}
check(set(bom["dependencies"][0]["dependsOn"]) == refs, "dependencies do not list every component")
if problems:
    print("\n".join(problems), file=sys.stderr); sys.exit(1)
print(f"test-sbom: {len(swift)} Swift and {len(debs)} Debian packages", file=sys.stderr)
PY

# A branch pin and a bare revision pin fail, naming the package; the SBOM is still written.
mkdir -p "$work/pinned"
python3 - "$root/Package.resolved" "$work/pinned/Package.resolved" <<'PY'
import json, sys
resolved = json.load(open(sys.argv[1]))
resolved["pins"][0]["state"] = {"branch": "main", "revision": "0123456789abcdef0123456789abcdef01234567"}
resolved["pins"][1]["state"] = {"revision": "89abcdef0123456789abcdef0123456789abcdef"}
json.dump(resolved, open(sys.argv[2], "w"))
PY
first="$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["pins"]; print(p[0]["identity"], p[1]["identity"])' "$root/Package.resolved")"
if "$root/scripts/sbom.sh" --package-dir "$work/pinned" --output "$work/pinned.json" 2>"$work/pinned.log"; then
  fail "a branch pin passed"
fi
read -r branch_pin revision_pin <<<"$first"
grep -q "$branch_pin is pinned to branch main" "$work/pinned.log" || { cat "$work/pinned.log" >&2; fail "the branch pin is not named"; }
grep -q "$revision_pin is pinned to revision 89abcdef" "$work/pinned.log" || { cat "$work/pinned.log" >&2; fail "the revision pin is not named"; }
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/pinned.json" || fail "no SBOM written for a bad pin"
echo "test-sbom: ok" >&2
