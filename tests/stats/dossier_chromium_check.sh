#!/usr/bin/env bash
# Proves in headless Chromium that every chart of a rendered country dossier DREW.
#
# usage: tests/stats/dossier_chromium_check.sh FILE.html
#
# 1. Copies FILE.html to a temporary directory and, in the copy only, removes the dossier's
#    Content-Security-Policy <meta> (it forbids scripts) and injects a script before </body>. On
#    load, the script counts for every <svg class="chart"> the marks (rect.bar, circle.mark,
#    path.mark) that have a non-empty getBBox() AND a non-empty getBoundingClientRect() AND are
#    painted (not display:none, not hidden, not fully transparent, some fill or stroke), and
#    writes data-drawn="N" on the svg and data-dossier-drawn="name:N ..." on <body>.
# 2. Runs chromium --headless --dump-dom on the copy and parses the dumped DOM: each of the five
#    expected charts must be there with at least one drawn mark.
# 3. Takes a 1280x6000 screenshot of the unmodified file and one of an empty page, and checks the
#    first is a PNG at least BLANK_RATIO (default 4) times the size of the second and at least
#    MIN_PNG_BYTES (default 20000). Here an empty page gives about 35 kB, the fixture about 480 kB.
#
# Exit status: 0 every chart drew (one line per chart on stdout); 1 a chart is missing or drew
# nothing, or the screenshot is (nearly) blank (each named on stderr, with the kept files);
# 2 usage; 3 Chromium (or python3) missing or failing: not a verdict on the file.
# Environment: CHROMIUM (default: chromium), MIN_PNG_BYTES, BLANK_RATIO, DOSSIER_CHECK_KEEP:
# "auto" (default) keeps the temporary directory on failure and names it, "always", or "never".
set -uo pipefail

readonly CHARTS=(cases-per-year-by-type outcomes recognition age-groups contacts-by-partner-kind)
readonly CHROMIUM=${CHROMIUM:-chromium}
readonly MIN_PNG_BYTES=${MIN_PNG_BYTES:-20000}
readonly BLANK_RATIO=${BLANK_RATIO:-4}
readonly me=dossier_chromium_check

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  echo "usage: $0 FILE.html" >&2
  exit 2
fi
readonly input=$1

work=""
keep=0
readonly keep_policy=${DOSSIER_CHECK_KEEP:-auto}
cleanup() {
  [[ -n $work ]] || return 0
  if [[ $keep_policy == always || ($keep_policy == auto && $keep == 1) ]]; then
    return 0
  fi
  rm -rf -- "$work"
}
trap cleanup EXIT

kept_note() {
  [[ $keep_policy == never ]] || echo "$me: the copy, dumped DOM, screenshot and logs are in $work" >&2
}

error() {  # Chromium or the environment failed: not a verdict on the dossier.
  echo "$me: ERROR: $*" >&2
  [[ -n $work ]] && { keep=1; kept_note; }
  exit 3
}

if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
  error "chromium not found ('$CHROMIUM'): this browser test needs Debian's chromium; run ops/install-deps.sh (or apt-get install chromium)"
fi
command -v python3 >/dev/null 2>&1 || error "python3 not found: run ops/install-deps.sh"
[[ -f $input ]] || error "no such file: $input"

work=$(mktemp -d "${TMPDIR:-/tmp}/dossier-chromium-check.XXXXXX") || error "mktemp failed"
cp -- "$input" "$work/original.html" || error "cannot copy $input"

# The copy with the measuring script.
python3 - "$work/original.html" "$work/measured.html" <<'PY' || error "could not prepare the copy"
import re, sys
src, dst = sys.argv[1], sys.argv[2]
html = open(src, encoding="utf-8", errors="surrogateescape").read()
if "data-dossier-drawn" in html:
    sys.exit("the input already holds data-dossier-drawn: refusing to trust it")
html = re.sub(r'<meta\s+http-equiv="Content-Security-Policy"[^>]*>', "", html, flags=re.I)
script = r"""<script>
window.addEventListener('load', function () {
  var out = [];
  var charts = document.querySelectorAll('svg.chart');
  for (var i = 0; i < charts.length; i++) {
    var svg = charts[i];
    var name = (svg.getAttribute('data-chart') || ('unnamed-' + i)).replace(/[^A-Za-z0-9_-]/g, '_');
    var frame = svg.getBoundingClientRect();
    var drawn = 0;
    if (frame.width > 0 && frame.height > 0) {
      var marks = svg.querySelectorAll('rect.bar, circle.mark, path.mark');
      for (var j = 0; j < marks.length; j++) {
        var m = marks[j];
        var b = m.getBBox();
        var r = m.getBoundingClientRect();
        var cs = window.getComputedStyle(m);
        var painted = cs.display !== 'none' && cs.visibility !== 'hidden' &&
            parseFloat(cs.opacity) > 0 && (cs.fill !== 'none' || cs.stroke !== 'none');
        if (b.width > 0 && b.height > 0 && r.width > 0 && r.height > 0 && painted) drawn++;
      }
    }
    svg.setAttribute('data-drawn', String(drawn));
    out.push(name + ':' + drawn);
  }
  document.body.setAttribute('data-dossier-drawn', out.join(' '));
});
</script>
"""
i = html.lower().rfind("</body>")
if i < 0:
    sys.exit("no </body> in the input")
open(dst, "w", encoding="utf-8", errors="surrogateescape").write(html[:i] + script + html[i:])
PY

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
       --disable-extensions --disable-background-networking --disable-sync)

timeout 120 "$CHROMIUM" "${flags[@]}" --user-data-dir="$work/profile-dom" \
  --virtual-time-budget=5000 --dump-dom "file://$work/measured.html" \
  >"$work/dom.html" 2>"$work/chromium-dom.log"
rc=$?
if [[ $rc -ne 0 ]]; then
  tail -n 20 "$work/chromium-dom.log" >&2
  error "chromium --dump-dom exited with $rc"
fi

summary=$(grep -o 'data-dossier-drawn="[^"]*"' "$work/dom.html" | head -n 1)
if [[ -z $summary ]]; then
  keep=1
  echo "$me: FAIL: the measuring script did not run: no data-dossier-drawn on <body> in the dumped DOM" >&2
  kept_note
  exit 1
fi
summary=${summary#data-dossier-drawn=\"}
summary=${summary%\"}

failures=0
lines=()
for chart in "${CHARTS[@]}"; do
  count=""
  seen=0
  for entry in $summary; do
    if [[ ${entry%:*} == "$chart" ]]; then
      seen=$((seen + 1))
      [[ -z $count ]] && count=${entry##*:}
    fi
  done
  if [[ $seen -eq 0 ]]; then
    echo "$me: FAIL: chart $chart: no <svg class=\"chart\" data-chart=\"$chart\"> in the page" >&2
    failures=$((failures + 1))
  elif [[ $seen -gt 1 ]]; then
    echo "$me: FAIL: chart $chart: appears $seen times" >&2
    failures=$((failures + 1))
  elif ! [[ $count =~ ^[0-9]+$ ]] || [[ $count -lt 1 ]]; then
    echo "$me: FAIL: chart $chart: drew no marks (data-drawn=$count)" >&2
    failures=$((failures + 1))
  else
    lines+=("chart $chart: $count marks drawn")
  fi
done

# One screenshot of the file as shipped (its own CSP intact), and one of an empty page of the same
# size with the same Chromium as the baseline of "nothing drawn".
shoot() {  # shoot NAME HTML: writes $work/NAME.png
  timeout 120 "$CHROMIUM" "${flags[@]}" --user-data-dir="$work/profile-$1" \
    --window-size=1280,6000 --virtual-time-budget=5000 --screenshot="$work/$1.png" \
    "file://$2" >"$work/chromium-$1.log" 2>&1
  local rc=$?
  if [[ $rc -ne 0 || ! -f $work/$1.png ]]; then
    tail -n 20 "$work/chromium-$1.log" >&2
    error "chromium --screenshot exited with $rc and wrote no $work/$1.png"
  fi
}
printf '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body></body></html>\n' \
  >"$work/blank.html"
shoot dossier "$work/original.html"
shoot blank "$work/blank.html"
png_bytes=$(stat -c %s "$work/dossier.png")
blank_bytes=$(stat -c %s "$work/blank.png")
min_bytes=$((blank_bytes * BLANK_RATIO))
[[ $min_bytes -lt $MIN_PNG_BYTES ]] && min_bytes=$MIN_PNG_BYTES
png_magic=$(head -c 8 "$work/dossier.png" | od -An -tx1 | tr -d ' \n')
if [[ $png_magic != 89504e470d0a1a0a ]]; then
  echo "$me: FAIL: screenshot $work/dossier.png is not a PNG" >&2
  failures=$((failures + 1))
elif [[ $png_bytes -lt $min_bytes ]]; then
  echo "$me: FAIL: screenshot $work/dossier.png is only $png_bytes bytes (< $min_bytes: ${BLANK_RATIO}x the $blank_bytes bytes of a blank page): the page looks (nearly) blank" >&2
  failures=$((failures + 1))
fi

if [[ $failures -gt 0 ]]; then
  keep=1
  echo "$me: $failures failure(s)" >&2
  kept_note
  exit 1
fi
printf '%s\n' "${lines[@]}"
echo "screenshot: $png_bytes bytes (blank page: $blank_bytes bytes)"
