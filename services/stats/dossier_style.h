#pragma once

#include "absl/strings/string_view.h"

namespace consular::stats {

// The style sheet of the dossier page, inlined in its <style>: greyscale, printable on A4, no
// web font and no url() other than the charts' own patterns.
inline constexpr absl::string_view kDossierStyleSheet = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; color: #000;
  background: #fff; margin: 0 auto; max-width: 62rem; padding: 1.5rem; font-size: 11pt;
  line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #000; padding-bottom: .15rem; margin: 2rem 0 .75rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
.meta dt { font-weight: bold; }
.meta dd { margin: 0; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5rem, 1fr)); gap: .75rem; margin: 0; }
.figure-card { border: 1px solid #000; padding: .5rem .75rem; break-inside: avoid; page-break-inside: avoid; }
.figure-card dt { font-size: .9rem; }
.figure-card dd { font-size: 1.6rem; font-weight: bold; margin: .2rem 0 0; }
figure.chart-box { margin: 1rem 0 1.5rem; break-inside: avoid; page-break-inside: avoid; }
figure.chart-box figcaption { font-weight: bold; margin-bottom: .3rem; }
svg.chart { display: block; width: 100%; max-width: 720px; height: auto; overflow: visible; }
svg.chart text { font-size: 12px; fill: #000; }
svg.chart .axis-title { font-weight: bold; }
svg.chart .grid { stroke: #d0d0d0; stroke-width: 1; }
svg.chart .axis { stroke: #000; stroke-width: 1; }
svg.chart .suppressed-label { font-weight: bold; }
svg.chart .empty-note { font-size: 15px; font-style: italic; }
table { border-collapse: collapse; width: 100%; max-width: 40rem; margin: .25rem 0 .5rem; }
th, td { border: 1px solid #000; padding: .2rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #eee; }
tbody th { font-weight: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
.suppressed-mark { font-weight: bold; }
a.footnote { color: inherit; text-decoration: none; }
.table-note { font-size: .9rem; margin: 0 0 1rem; }
.timeline { list-style: none; margin: 0; padding: 0; }
.talk { border-left: 4px solid #000; padding: .1rem 0 .5rem 1rem; margin: 0 0 1rem; break-inside: avoid; page-break-inside: avoid; }
.talk h3 { margin-top: 0; }
.talk dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
.talk dt { font-weight: bold; }
.talk dd { margin: 0; }
.talk .text { white-space: pre-line; overflow-wrap: anywhere; }
.note { border: 2px solid #000; padding: .5rem 1rem; break-inside: avoid; page-break-inside: avoid; }
.note h2 { margin-top: .5rem; }
@page { size: A4; margin: 15mm }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  section.breakdown { break-inside: avoid; page-break-inside: avoid; }
  thead th { background: none; }
  svg.chart { max-width: 100%; }
}
)css";

}  // namespace consular::stats
