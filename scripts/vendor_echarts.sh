#!/usr/bin/env bash
# Re-fetch Apache ECharts from the npm registry into static/vendor/echarts/ (committed; no CDN at run time).
#   bash scripts/vendor_echarts.sh [VERSION]      (default: the version in static/vendor/echarts/VERSION)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=static/vendor/echarts
version="${1:-$(cat "$dest/VERSION" 2>/dev/null || echo 5.6.0)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "echarts@$version" >/dev/null && tar xzf echarts-*.tgz)
mkdir -p "$dest"
cp "$work/package/dist/echarts.min.js" "$work/package/LICENSE" "$work/package/NOTICE" "$dest/"
echo "$version" > "$dest/VERSION"
echo "echarts $version -> $dest"
