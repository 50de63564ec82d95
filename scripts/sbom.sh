#!/usr/bin/env bash
# Writes a CycloneDX 1.5 JSON SBOM of Apex: every Swift package resolved in Package.resolved
# (version, revision, purl pkg:swift/...) and the Debian packages the server needs at run time
# (from dpkg, purl pkg:deb/debian/...). Exits non-zero when a Swift dependency is pinned to a
# branch or a bare revision instead of a released version (the SBOM is still written).
#
#   scripts/sbom.sh [--package-dir DIR] [--output FILE] [--binary PATH]
#
# DIR defaults to the repository, FILE to artifacts/sbom.cdx.json. Without Package.resolved in
# DIR it runs `swift package resolve` first (Package.resolved stays out of git). The Debian
# packages are the ones owning the shared libraries the apex-cli binary links (BINARY, default
# .build/debug/apex-cli or .build/release/apex-cli, whichever exists) plus those in
# scripts/sbom-runtime-packages.txt; a listed package that is not installed is reported and left out.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
package_dir="$root"
output="$root/artifacts/sbom.cdx.json"
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --package-dir) package_dir="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "sbom.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

if [ ! -f "$package_dir/Package.resolved" ]; then
  echo "sbom.sh: no Package.resolved in $package_dir: running swift package resolve" >&2
  (cd "$package_dir" && swift package resolve) >&2
fi

if [ -z "$binary" ]; then
  for candidate in "$package_dir/.build/release/apex-cli" "$package_dir/.build/debug/apex-cli"; do
    if [ -x "$candidate" ]; then binary="$candidate"; break; fi
  done
fi

# Debian packages: owners of the libraries the binary links, and the listed ones.
packages_file="$(mktemp)"
trap 'rm -f "$packages_file"' EXIT
if command -v dpkg-query >/dev/null 2>&1; then
  {
    if [ -n "$binary" ] && [ -x "$binary" ]; then
      ldd "$binary" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
        real="$(readlink -f "$lib")"
        dpkg -S "$real" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
      done | sed 's/:.*//' | sed 's/,.*//'
    else
      echo "sbom.sh: no apex-cli binary found: only scripts/sbom-runtime-packages.txt is listed" >&2
    fi
    grep -v '^\s*#' "$root/scripts/sbom-runtime-packages.txt" | sed '/^\s*$/d'
  } | sort -u | while read -r name; do
    if ! dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\n' "$name" 2>/dev/null | grep -v '^$'; then
      echo "sbom.sh: Debian package $name is not installed: left out" >&2
    fi
  done > "$packages_file"
else
  echo "sbom.sh: no dpkg here: the SBOM lists no Debian packages" >&2
fi

mkdir -p "$(dirname "$output")"
python3 - "$package_dir/Package.resolved" "$packages_file" "$output" "$root" <<'PY'
import json, re, subprocess, sys, uuid, datetime, urllib.parse

resolved_path, packages_path, output, root = sys.argv[1:5]
with open(resolved_path) as f:
    resolved = json.load(f)
pins = resolved.get("pins") or resolved.get("object", {}).get("pins", [])

def quote(text):
    return urllib.parse.quote(text, safe=".-_~")

def swift_purl(location, version):
    # pkg:swift/<host>/<owner>/<name>@<version> (purl spec, type swift)
    path = re.sub(r"^[a-z+]+://", "", location)
    path = re.sub(r"^git@([^:]+):", r"\1/", path)
    path = re.sub(r"\.git$", "", path.rstrip("/"))
    parts = path.split("/")
    namespace, name = "/".join(quote(p) for p in parts[:-1]), quote(parts[-1])
    return f"pkg:swift/{namespace}/{name}@{quote(version)}"

components, refs, unpinned = [], [], []
for pin in sorted(pins, key=lambda p: p.get("identity", p.get("package", "")).lower()):
    identity = pin.get("identity") or pin.get("package")
    location = pin.get("location") or pin.get("repositoryURL", "")
    state = pin.get("state", {})
    version, revision, branch = state.get("version"), state.get("revision", ""), state.get("branch")
    if branch or not version:
        unpinned.append(f"{identity} is pinned to " + (f"branch {branch}" if branch else f"revision {revision or '?'}") + " instead of a released version")
    shown = version or revision
    purl = swift_purl(location, shown)
    components.append({
        "type": "library", "bom-ref": purl, "name": identity, "version": shown, "purl": purl,
        "externalReferences": [{"type": "vcs", "url": location}],
        "properties": [{"name": "swift:revision", "value": revision}] + ([{"name": "swift:branch", "value": branch}] if branch else []),
    })
    refs.append(purl)

distro = ""
try:
    with open("/etc/os-release") as f:
        release = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    distro = "&distro=" + quote(release.get("ID", "debian").strip('"') + "-" + release.get("VERSION_ID", "").strip('"'))
except OSError:
    pass
with open(packages_path) as f:
    for line in f:
        fields = line.rstrip("\n").split("\t")
        if len(fields) != 3 or not fields[1]:
            continue
        name, version, arch = fields
        purl = f"pkg:deb/debian/{quote(name)}@{quote(version)}?arch={quote(arch)}{distro}"
        components.append({"type": "library", "bom-ref": purl, "name": name, "version": version, "purl": purl,
                           "properties": [{"name": "debian:architecture", "value": arch}]})
        refs.append(purl)

try:
    revision = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
except Exception:
    revision = "unknown"
apex_ref = f"pkg:swift/apex@{revision}"
bom = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "serialNumber": f"urn:uuid:{uuid.uuid4()}",
    "version": 1,
    "metadata": {
        "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tools": {"components": [{"type": "application", "name": "apex scripts/sbom.sh"}]},
        "component": {"type": "application", "bom-ref": apex_ref, "name": "apex", "version": revision},
    },
    "components": components,
    "dependencies": [{"ref": apex_ref, "dependsOn": refs}],
}
with open(output, "w") as f:
    json.dump(bom, f, indent=2)
    f.write("\n")
swift = sum(1 for c in components if c["purl"].startswith("pkg:swift/"))
print(f"sbom.sh: wrote {output}: {swift} Swift packages, {len(components) - swift} Debian packages", file=sys.stderr)
if unpinned:
    for line in unpinned:
        print(f"sbom.sh: {line}", file=sys.stderr)
    print("sbom.sh: every Swift dependency must resolve to a released version (use from:/exact: in Package.swift)", file=sys.stderr)
    sys.exit(1)
PY
