// The dashboard's stylesheet, kept in a module so the compiled build carries it without a
// copy step. Colours meet WCAG AA contrast (4.5:1) on their backgrounds.
export const STYLE = `
:root { --ink:#1b1f24; --muted:#4f5963; --line:#d5dbe1; --bg:#f4f6f8; --card:#fff;
  --brand:#1f4e79; --brand-ink:#fff; --focus:#f2a900; --bad:#9b1c1c; --radius:8px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--ink); background: var(--bg); line-height: 1.45; font-size: 16px; }
* { box-sizing: border-box; }
body { margin: 0; }
a { color: #0b4a8b; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em;
  overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; }
.skip:focus { left: .5rem; z-index: 10; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem 1.25rem;
  background: var(--brand); color: var(--brand-ink); padding: .5rem 1.25rem; }
.top a { color: var(--brand-ink); text-decoration: none; }
.top .brand { font-weight: 700; font-size: 1.15rem; }
.top nav { flex: 1 1 auto; }
.top ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; margin: 0; padding: 0; }
.top nav a { display: inline-block; padding: .45rem .7rem; border-radius: 6px; }
.top nav a:hover { background: rgba(255,255,255,.14); }
.top nav a[aria-current="page"] { background: #fff; color: var(--brand); font-weight: 600; }
.top .btn.plain { background: transparent; color: var(--brand-ink); border-color: rgba(255,255,255,.6); }
main { max-width: 1400px; margin: 0 auto; padding: 1.25rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius);
  padding: 1rem 1.1rem; margin-bottom: 1rem; min-width: 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 380px), 1fr));
  gap: 1rem; }
.grid > * { min-width: 0; }
.grid { margin-bottom: 1rem; }
.grid > .card, .grid > section > .card { margin-bottom: 0; }
table.kv code { overflow-wrap: normal; word-break: normal; }
.bare main.narrow { max-width: 26rem; margin: 10vh auto; }
.bare main.narrow:has(.setup) { max-width: 48rem; margin-top: 5vh; }
.setup code { overflow-wrap: normal; word-break: normal; }
.brand { font-weight: 700; color: var(--brand); margin: 0 0 .5rem; }
.muted { color: var(--muted); }
.small { font-size: .85rem; }
.empty { color: var(--muted); font-style: italic; margin: .5rem 0; }
.error-text { color: var(--bad); overflow-wrap: anywhere; margin: .25rem 0 0; }
.bad-text { color: var(--bad); }
.notice { background: #e7f0fb; border: 1px solid #a9c7ec; border-radius: var(--radius);
  padding: .6rem .9rem; }
.notice.bad { background: #fde8e8; border-color: #f0b4b4; color: var(--bad); }
.btn { font: inherit; font-size: .92rem; padding: .4rem .8rem; border-radius: 6px; cursor: pointer;
  border: 1px solid #8a96a3; background: #fff; color: var(--ink); min-height: 2.25rem; }
.btn:hover { background: #eef2f6; }
.btn.primary { background: var(--brand); border-color: var(--brand); color: #fff; }
.btn.primary:hover { background: #173d60; }
.btn.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
.btn:disabled { opacity: .55; cursor: not-allowed; }
form.inline { display: inline; }
.stack { display: flex; flex-direction: column; gap: .6rem; }
.stack .btn { align-self: flex-start; }
.bare .stack .btn { align-self: stretch; }
input, select { font: inherit; padding: .4rem .55rem; border: 1px solid #8a96a3; border-radius: 6px;
  min-height: 2.25rem; background: #fff; color: var(--ink); max-width: 100%; }
label.check { display: flex; gap: .5rem; align-items: center; }
code.public-key { word-break: break-all; font-size: .8rem; }
.toolbar { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center;
  justify-content: space-between; margin-bottom: 1rem; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.tiles { list-style: none; padding: 0; margin: 0 0 1rem; display: grid; gap: .75rem;
  grid-template-columns: repeat(auto-fit, minmax(8.5rem, 1fr)); }
.tile { display: flex; flex-direction: column; background: var(--card); border: 1px solid var(--line);
  border-left: 6px solid #8a96a3; border-radius: var(--radius); padding: .7rem .9rem;
  text-decoration: none; color: var(--ink); }
.tile strong { font-size: 1.7rem; line-height: 1.1; }
.tile.synced { border-left-color: #1e7b34; } .tile.failed { border-left-color: var(--bad); }
.tile.retrying { border-left-color: #b36b00; } .tile.syncing, .tile.queued { border-left-color: #1f5fa8; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.health, .failures { list-style: none; padding: 0; margin: 0; }
.health li { padding: .3rem 0; border-bottom: 1px solid var(--line); }
.health .name { display: inline-block; min-width: 6.5rem; font-weight: 600; }
.failures li { padding: .5rem 0; border-bottom: 1px solid var(--line); }
.badge { display: inline-block; padding: .1rem .5rem; border-radius: 999px; font-size: .8rem;
  font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.badge.good { background: #e3f4e7; color: #0d5a20; border-color: #a8d8b4; }
.badge.info { background: #e4eefa; color: #0b4a8b; border-color: #a9c7ec; }
.badge.warn { background: #fff1d6; color: #6e4300; border-color: #e9c27a; }
.badge.bad { background: #fde8e8; color: #8b1a1a; border-color: #f0b4b4; }
.badge.muted { background: #eceff2; color: #3d4650; border-color: #cfd6dd; }
progress { vertical-align: middle; width: 5rem; height: .8rem; margin-left: .4rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .93rem; }
th, td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
thead th { background: #eef2f6; font-weight: 600; white-space: nowrap; }
td.actions { white-space: nowrap; }
td.actions form, td.actions a { margin-right: .35rem; }
.pager { display: flex; justify-content: space-between; align-items: center; margin-top: .75rem; }
.report { border-radius: var(--radius); padding: .5rem .8rem; margin: .5rem 0 1rem; border: 1px solid; }
.report.good { background: #e3f4e7; border-color: #a8d8b4; }
.report.bad { background: #fde8e8; border-color: #f0b4b4; }
.report ul { margin: .25rem 0 0; padding-left: 1rem; list-style: none; }
.check-block { margin-bottom: .75rem; }
.freshness p { margin: 0 0 .5rem; }
.freshness.up_to_date strong { color: #0d5a20; } .freshness.update_available strong { color: #6e4300; }
.danger-zone { border-color: #f0b4b4; }
.chart { margin: 0 0 1rem; }
.chart svg { width: 100%; height: auto; max-height: 260px; display: block; }
.chart .axis { stroke: #8a96a3; stroke-width: 1; }
.chart .grid-line { stroke: var(--line); stroke-dasharray: 4 4; }
.chart .axis-label { font-size: 11px; fill: var(--muted); }
.chart .series-0 { fill: #1e7b34; } .chart .series-1 { fill: var(--bad); }
.chart figcaption { font-size: .9rem; color: var(--muted); display: flex; flex-wrap: wrap; gap: .5rem; }
.legend { display: inline-flex; gap: .75rem; }
.legend .key::before { content: ""; display: inline-block; width: .8em; height: .8em;
  margin-right: .3em; vertical-align: -.05em; border-radius: 2px; background: #1e7b34; }
.legend .key.series-1::before { background: var(--bad); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); gap: 1rem; }
.paused-by { display: block; }
.pick input { width: 1.2rem; height: 1.2rem; }
th a.sort { color: inherit; }
.activity-kind { text-transform: capitalize; }
@media (max-width: 760px) {
  main { padding: .75rem; }
  .bare main.narrow { margin: 10vh .75rem; }
  .top { padding: .5rem .75rem; }
  .top nav { order: 3; flex-basis: 100%; }
  .top .signout { margin-left: auto; }
  table.stack-on-phone thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); }
  table.stack-on-phone tr { display: block; border: 1px solid var(--line); border-radius: var(--radius);
    margin-bottom: .75rem; background: var(--card); }
  table.stack-on-phone td { display: block; position: relative; padding-left: 8.6rem;
    border-bottom: 1px solid #eef1f4; white-space: normal; min-height: 2.3rem; }
  table.stack-on-phone td::before { content: attr(data-label); position: absolute; left: .6rem;
    width: 7.5rem; font-weight: 600; color: var(--muted); }
  table.stack-on-phone td:empty { display: none; }
  td.actions form, td.actions a { display: inline-block; margin: 0 .35rem .35rem 0; }
  table.kv thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.kv tr { display: block; border-bottom: 1px solid var(--line); padding: .35rem 0; }
  table.kv th, table.kv td { display: block; border: 0; padding: .1rem .6rem; }
  .facts { grid-template-columns: 1fr; gap: 0 1rem; }
  .facts dd { margin-bottom: .4rem; }
}
`;
