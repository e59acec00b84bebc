#!/usr/bin/env bash
# Rebuilds the committed GraphiQL assets from the npm packages pinned in package-lock.json.
# The runtime serves them gzip-compressed from the binary (gqlgen-runtime/src/http/graphiql.rs),
# so that GraphiQL works without internet access. Run after changing a version in package.json.
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund >/dev/null
m=node_modules
for pair in \
  "$m/react/umd/react.production.min.js:react.production.min.js" \
  "$m/react-dom/umd/react-dom.production.min.js:react-dom.production.min.js" \
  "$m/graphiql/graphiql.min.js:graphiql.min.js" \
  "$m/graphiql/graphiql.min.css:graphiql.min.css"; do
  gzip -9 -n -c "${pair%%:*}" > "${pair##*:}.gz"
done
for package in react react-dom graphiql; do
  printf '%s %s, %s\n' "$package" "$(node -p "require('./$m/$package/package.json').version")" \
    "$(node -p "require('./$m/$package/package.json').license")"
done > VERSIONS
rm -rf node_modules
