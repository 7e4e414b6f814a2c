#!/usr/bin/env bash
# npm run observatory: the MDN HTTP Observatory's checks (the npm package @mdn/mdn-http-observatory, the
# scanner behind developer.mozilla.org/observatory) run offline against the built server on loopback.
# The package is installed into a temporary folder, not into the project. Its install step would download
# the HSTS preload list, so install scripts are off and an empty list stands in (this server is on no
# preload list). Prints the grade, the score and each test.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=1.4.8
work=$(mktemp -d)
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

npm install --prefix "$work" --ignore-scripts --no-audit --no-fund --silent "@mdn/mdn-http-observatory@$version"
scanner=$work/node_modules/@mdn/mdn-http-observatory
echo '{}' > "$scanner/conf/hsts-preload.json"

npm run -s build
PORT=0 HOST=127.0.0.1 node dist/server.js > "$work/server.log" &
server=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/.*"msg":"listening on http:\/\/127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$work/server.log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { echo "observatory: the server did not start" >&2; exit 1; }

# The scanner tries https:// and http:// on the one address; HTTPS fails on a plain-HTTP port, so it grades
# the HTTP answers.
node "$scanner/src/scan.js" "127.0.0.1:$port" > "$work/scan.json"
# shellcheck disable=SC2016 # JavaScript, not shell: its ${…} are template literals
node -e '
  const { scan, tests } = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(`MDN HTTP Observatory ${process.argv[2]}: grade ${scan.grade}, score ${scan.score}, ${scan.testsPassed} of ${scan.testsQuantity} tests passed`);
  for (const [name, test] of Object.entries(tests)) {
    console.log(`${test.pass ? "pass" : "FAIL"}  ${name}: ${test.result} (${test.scoreModifier >= 0 ? "+" : ""}${test.scoreModifier})`);
  }
' "$work/scan.json" "$version"
