#!/usr/bin/env bash
# Extract every translatable string into grants/translations/messages.pot, then bring each
# language's catalogue up to date with it (new strings arrive empty, for a translator to fill).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
"$BIN/pybabel" extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k N_ \
  --no-location --sort-output --omit-header -o grants/translations/messages.pot .
for lang in ur pa bn; do
  # -w 100: the width the catalogues are kept at (a narrower one rewraps every long entry)
  "$BIN/pybabel" update --no-fuzzy-matching --ignore-obsolete -w 100 -i grants/translations/messages.pot \
    -d grants/translations -l "$lang"
done
