// compare.js - svcov's opening_hours parser (src/hours.c) against the
// reference implementation opening_hours.js, minute by minute over one week.
//
//   TZ=UTC node compare.js TEST_HOURS_BIN CASES_FILE [N_RANDOM]
//
// TEST_HOURS_BIN run as `test_hours grid` reads one value a line and prints
// "OK <flags> <10080 digits>" (Mo 00:00 .. Su 23:59, 1 = open) or "ERR <message>".
// opening_hours.js evaluates the week of Monday 2026-12-07 (no public holiday
// is known to it without a country, as to svcov). CASES_FILE: one value a
// line, '#' comments; a line "!refuse VALUE" is a value that opening_hours.js
// accepts (often with a warning) and svcov refuses on purpose (src/engine/hours.h).
// N_RANDOM values (default 600) are generated from the supported grammar with
// a fixed seed, so every run checks the same ones.
'use strict';
const fs = require('fs');
const { execFileSync } = require('child_process');
const OpeningHours = require('opening_hours');

const [bin, casesFile, nRandomArg] = process.argv.slice(2);
if (!bin || !casesFile) {
  console.error('usage: node compare.js TEST_HOURS_BIN CASES_FILE [N_RANDOM]');
  process.exit(2);
}
const WEEK = 7 * 1440;
const monday = new Date(2026, 11, 7, 0, 0, 0);
if (monday.getTimezoneOffset() !== 0 || new Date(2026, 5, 1).getTimezoneOffset() !== 0) {
  console.error('compare.js: run with TZ=UTC (a daylight-saving change would shift the week)');
  process.exit(2);
}

function reference(value) {
  let oh;
  try {
    oh = new OpeningHours(value, null, 0);
  } catch (e) {
    return { err: String(e), thrown: true };
  }
  const bits = new Uint8Array(WEEK);
  const to = new Date(monday.getTime() + WEEK * 60000);
  for (const [from, until, unknown] of oh.getOpenIntervals(monday, to)) {
    if (unknown) return { err: 'unknown state' };
    const a = Math.round((from - monday) / 60000), b = Math.round((until - monday) / 60000);
    for (let m = a; m < b; m++) bits[m] = 1;
  }
  return { grid: Array.from(bits).join('') };
}

// A small deterministic generator of values in the supported grammar.
let seed = 20261207;
function rnd(n) { // mulberry32
  seed = (seed + 0x6D2B79F5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (((t ^ (t >>> 14)) >>> 0) % n);
}
const DAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];
const pad = (n) => String(n).padStart(2, '0');
function time(maxHour) {
  const h = rnd(maxHour + 1), m = h === maxHour ? 0 : [0, 0, 15, 30, 45, 59][rnd(6)];
  return `${pad(h)}:${pad(m)}`;
}
function span() {
  const r = rnd(10);
  const end = r < 6 ? time(24) : r < 8 ? time(30) : r < 9 ? '24:00' : time(48);
  return `${time(23)}-${end}`;
}
function daySel() {
  const items = [];
  for (let i = 0, n = 1 + rnd(3); i < n; i++) {
    const r = rnd(10);
    if (r < 1) items.push('PH');
    else if (r < 5) items.push(DAYS[rnd(7)]);
    else items.push(`${DAYS[rnd(7)]}-${DAYS[rnd(7)]}`);
  }
  return items.join(',');
}
function rule() {
  const parts = [];
  const r = rnd(20);
  if (r === 0) return '24/7';
  if (rnd(5) > 0) parts.push(daySel());
  if (rnd(6) > 0) {
    const spans = [];
    for (let i = 0, n = 1 + rnd(3); i < n; i++) spans.push(span());
    parts.push(spans.join(','));
  }
  const s = rnd(8);
  if (s === 0) parts.push('off');
  else if (s === 1) parts.push('closed');
  else if (s === 2) parts.push('open');
  if (parts.length === 0) parts.push(DAYS[rnd(7)]);
  return parts.join(' ');
}
function value() {
  let v = rule();
  for (let i = 0, n = rnd(4); i < n; i++) v += (rnd(4) === 0 ? ', ' : '; ') + rule();
  // the spellings both accept: lower-case days, spaces around '-', ';' and ','
  if (rnd(10) === 0) v = v.replace(/(Mo|Tu|We|Th|Fr|Sa|Su)/g, (d) => d.toLowerCase());
  if (rnd(10) === 0) v = v.replace(/-/g, ' - ');
  if (rnd(10) === 0) v = v.replace(/[;,]/g, (c) => ` ${c}  `);
  if (rnd(20) === 0) v += ';';
  return v;
}

const cases = [];
for (const line of fs.readFileSync(casesFile, 'utf8').split('\n')) {
  if (line.trim() === '' || line.startsWith('#')) continue;
  if (line.startsWith('!refuse ')) cases.push({ value: line.slice(8), refuse: true });
  else cases.push({ value: line, refuse: false });
}
const nRandom = nRandomArg === undefined ? 600 : Number(nRandomArg);
for (let i = 0; i < nRandom; i++) cases.push({ value: value(), refuse: false, random: true });

const out = execFileSync(bin, ['grid'], {
  input: cases.map((c) => c.value).join('\n') + '\n',
  maxBuffer: 64 * 1024 * 1024,
}).toString().split('\n');

const fmt = (m) => `${DAYS[Math.floor(m / 1440)]} ${pad(Math.floor((m % 1440) / 60))}:${pad(m % 60)}`;
let passed = 0, failed = 0;
cases.forEach((c, i) => {
  const ours = out[i] || '';
  const ref = reference(c.value);
  let problem = null;
  if (c.refuse) {
    if (!ours.startsWith('ERR ')) problem = 'svcov accepts a value it should refuse';
    else if (ref.thrown) problem = `opening_hours.js refuses it too (${ref.err}): move it out of !refuse`;
  } else if (ref.err && !ours.startsWith('ERR ')) {
    problem = `opening_hours.js refuses it (${ref.err.slice(0, 160)}), svcov accepts it`;
  } else if (!ref.err && ours.startsWith('ERR ')) {
    problem = `svcov refuses it (${ours.slice(4)}), opening_hours.js accepts it`;
  } else if (!ref.err) {
    const grid = ours.split(' ')[2] || '';
    if (grid.length !== WEEK) problem = `svcov printed no week: ${ours.slice(0, 80)}`;
    else if (grid !== ref.grid) {
      const m = [...grid].findIndex((b, k) => b !== ref.grid[k]);
      problem = `differs from ${fmt(m)}: svcov ${grid[m] === '1' ? 'open' : 'closed'}, opening_hours.js ${ref.grid[m] === '1' ? 'open' : 'closed'}`;
    }
  }
  if (problem) {
    failed++;
    console.log(`FAIL ${JSON.stringify(c.value)}${c.random ? ' (random)' : ''}: ${problem}`);
  } else {
    passed++;
  }
});
console.log(`hours-ref: ${cases.length} values (${nRandom} random) against opening_hours.js ${require('opening_hours/package.json').version}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
