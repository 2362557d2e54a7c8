/**
 * The report's browser code, inlined into report.html. Plain ES5-style JavaScript kept as a
 * string: it runs in the page, not in Node. Every value from a history reaches the page
 * through textContent (or SVG text nodes), never as markup.
 */
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('faultline-data').textContent);
  var TYPE_NAMES = ['ok', 'fail', 'info', 'open'];
  var SVG = 'http://www.w3.org/2000/svg';
  var plotList = [];
  // Ticks with as many decimals as their spacing needs (uPlot's default repeats labels on tiny ranges).
  var xAxis = {
    label: 'seconds since the test began', labelSize: 20,
    values: function (u, splits, axisIdx, space, incr) {
      var d = incr > 0 ? Math.max(0, Math.min(9, -Math.floor(Math.log10(incr) + 1e-9))) : 3;
      return splits.map(function (v) { return v === null ? '' : v.toFixed(d); });
    }
  };
  var TYPE_COLORS = ['#3b82f6', '#ef4444', '#f59e0b', '#9ca3af'];
  var FAULT_FILL = {
    partition: 'rgba(239,68,68,0.13)', kill: 'rgba(124,58,237,0.13)', pause: 'rgba(14,165,233,0.15)',
    packet: 'rgba(234,179,8,0.18)', clock: 'rgba(16,185,129,0.15)'
  };
  var FAULT_TEXT = { partition: '#b91c1c', kill: '#6d28d9', pause: '#0369a1', packet: '#a16207', clock: '#047857' };
  function faultFill(k) { return FAULT_FILL[k] || 'rgba(107,114,128,0.15)'; }
  function faultText(k) { return FAULT_TEXT[k] || '#374151'; }

  // --- DOM helpers: text always goes in as textContent -----------------------------
  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return parent;
  }
  function show(v) {
    if (v === undefined) return '';
    if (typeof v === 'string') return v;
    try { return JSON.stringify(v); } catch (e) { return String(v); }
  }
  function clip(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }
  function verdictWord(v) { return v === true ? 'valid' : v === false ? 'invalid' : 'unknown'; }
  function badge(v, big) { var w = verdictWord(v); return h('span', 'badge ' + w + (big ? ' big' : ''), w === 'invalid' ? 'INVALID' : w); }
  function fmt(x, d) {
    if (x === null || x === undefined || Number.isNaN(x)) return '\u2013';
    if (typeof x !== 'number') return String(x);
    if (d !== undefined) return x.toFixed(d);
    var a = Math.abs(x);
    return a >= 1000 ? Math.round(x).toLocaleString('en-US') : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
  }
  function pct(x) { return x === null || x === undefined ? '\u2013' : (x * 100).toFixed(x === 1 || x === 0 ? 0 : 2) + '%'; }
  function table(head, rows, numeric) {
    var t = h('table');
    var tr = h('tr');
    head.forEach(function (c, i) { tr.appendChild(h('th', numeric && numeric[i] ? 'num' : '', c)); });
    add(t, add(h('thead'), tr));
    var body = h('tbody');
    rows.forEach(function (r) {
      var row = h('tr');
      r.forEach(function (c, i) {
        var td = h('td', numeric && numeric[i] ? 'num' : '');
        if (c instanceof Node) td.appendChild(c); else td.textContent = c === undefined || c === null ? '' : String(c);
        row.appendChild(td);
      });
      body.appendChild(row);
    });
    return add(t, body);
  }

  // --- the history, decoded from typed columns --------------------------------------
  function decode(s, T) {
    var bin = atob(s);
    var u8 = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    return new T(u8.buffer);
  }
  var TL = D.timeline;
  var N = TL.rows;
  var C = {
    start: decode(TL.start, Float64Array), end: decode(TL.end, Float64Array),
    process: decode(TL.process, Int32Array), type: decode(TL.type, Uint8Array), f: decode(TL.f, Uint16Array),
    inv: decode(TL.invokeIndex, Int32Array), cmp: decode(TL.completionIndex, Int32Array)
  };
  var tMin = Infinity, tMax = -Infinity;
  for (var i0 = 0; i0 < N; i0++) {
    if (C.start[i0] < tMin) tMin = C.start[i0];
    var e0 = C.end[i0];
    if (e0 === e0 && e0 > tMax) tMax = e0;
    if (C.start[i0] > tMax) tMax = C.start[i0];
  }
  if (!(tMax > tMin)) { tMin = 0; tMax = 1; }
  var rowOfIndexMap = null;
  function rowOfIndex(index) {
    if (!rowOfIndexMap) {
      rowOfIndexMap = new Map();
      for (var i = 0; i < N; i++) { rowOfIndexMap.set(C.inv[i], i); if (C.cmp[i] >= 0) rowOfIndexMap.set(C.cmp[i], i); }
    }
    var r = rowOfIndexMap.get(index);
    return r === undefined ? -1 : r;
  }
  function procName(p) { return p === -1 ? 'nemesis' : 'p' + p; }
  function opSummary(r) {
    var lat = C.end[r] === C.end[r] ? ((C.end[r] - C.start[r]) * 1000) : NaN;
    var lines = [
      'op ' + C.inv[r] + (C.cmp[r] >= 0 ? ' \u2192 ' + C.cmp[r] : '') + '   ' + procName(C.process[r]) + '   ' + TL.fs[C.f[r]] + '   ' + TYPE_NAMES[C.type[r]],
      'invoked at ' + C.start[r].toFixed(6) + ' s' + (lat === lat ? ', latency ' + fmt(lat) + ' ms' : ', never completed')
    ];
    var v = D.values[r];
    if (v) { lines.push(v[0]); if (v[1]) lines.push(v[1]); }
    return lines.join('\n');
  }

  var perf = D.perf;
  var faults = perf ? perf.faults : [];
  var faultEvents = perf ? perf.faultEvents : [];

  // --- header and verdict -------------------------------------------------------------
  var facts = D.facts || {};
  var results = D.results;
  var title = facts.name || 'faultline run';
  document.title = title + ' \u2013 faultline report';
  var head = document.getElementById('top');
  add(head, add(h('h1'), title), results ? badge(results.valid, true) : h('span', 'badge unknown big', 'no results'));
  var parts = [];
  if (perf) parts.push((perf.counts.ok + perf.counts.fail + perf.counts.info).toLocaleString('en-US') + ' client operations');
  if (facts.durationS !== undefined) parts.push(fmt(facts.durationS) + ' s');
  if (facts.startedAt) parts.push(String(facts.startedAt));
  add(head, h('span', 'summary', parts.join(' \u00b7 ')));
  var nav = h('nav');
  [['#checkers', 'checkers'], ['#perf', 'performance'], ['#timeline', 'timeline'], ['#facts', 'facts']].forEach(function (l) {
    var a = h('a', '', l[1]); a.href = l[0]; nav.appendChild(a);
  });
  head.appendChild(nav);
  if (D.warnings && D.warnings.length) {
    var w = document.getElementById('warnings');
    D.warnings.forEach(function (t) { w.appendChild(h('p', 'warn', t)); });
  }

  // --- op links -----------------------------------------------------------------------
  var timeline = null;
  function opLink(index, label) {
    var a = h('a', 'op', label || 'op ' + index);
    a.href = '#timeline';
    a.title = 'show op ' + index + ' in the timeline';
    a.addEventListener('click', function (ev) { ev.preventDefault(); focusOp(index); });
    return a;
  }
  function focusOp(index) {
    var r = rowOfIndex(index);
    document.getElementById('timeline').scrollIntoView({ behavior: 'auto', block: 'start' });
    if (r >= 0 && timeline) timeline.focus(r);
    else document.getElementById('op-detail').textContent = 'op ' + index + ' is not in the history';
  }
  function opList(indices, max) {
    var span = h('span');
    (indices || []).slice(0, max || 40).forEach(function (x, i) { if (i) span.appendChild(document.createTextNode(', ')); span.appendChild(opLink(x)); });
    if (indices && indices.length > (max || 40)) span.appendChild(document.createTextNode(', \u2026 (' + indices.length + ' in all)'));
    return span;
  }

  // --- checkers -----------------------------------------------------------------------
  var checkersEl = document.getElementById('checkers');
  var sub = results && results.results ? results.results : null;
  if (!results) checkersEl.appendChild(h('p', 'summary', 'This run has no results.json.'));
  else if (!sub) checkersEl.appendChild(renderChecker('result', results));
  else Object.keys(sub).forEach(function (name) { checkersEl.appendChild(renderChecker(name, sub[name])); });
  if (results && results.error) checkersEl.appendChild(h('p', 'warn', 'The run ended with an error: ' + results.error));

  function renderChecker(name, r) {
    var box = h('div', 'checker');
    add(box, add(h('div', 'head'), h('b', '', name), badge(r.valid), h('span', 'summary', oneLine(name, r))));
    if (r.reason) box.appendChild(h('p', 'explain', r.reason));
    var body = renderEvidence(name, r);
    if (body) box.appendChild(body);
    if (name !== 'perf') {
      var det = add(h('details'), h('summary', '', 'raw result'));
      var text = JSON.stringify(r, null, 1);
      det.appendChild(h('pre', 'mono', text.length > 200000 ? text.slice(0, 200000) + '\n\u2026 (cut)' : text));
      box.appendChild(det);
    }
    return box;
  }
  function oneLine(name, r) {
    if (name === 'perf' && perf) return 'measured: see Performance below';
    if (r['anomaly-types']) return r['anomaly-types'].length ? 'anomalies: ' + r['anomaly-types'].join(', ') : r.txns + ' transactions, no anomalies';
    if (r.model && r.stats) return 'model ' + r.model + ', ' + r.stats.ops + ' ops in ' + r.stats.partitions + ' partition(s)';
    if (r.lostCount !== undefined) return r.lostCount + ' lost of ' + (r.acknowledgedCount !== undefined ? r.acknowledgedCount + ' acknowledged' : r.attemptCount + ' attempted');
    if (r.violationCount !== undefined) return r.violationCount + ' overlap(s), ' + (r.uncertainCount || 0) + ' uncertain';
    if (r.keys !== undefined && r.failedKeys !== undefined) return r.failedKeys + ' of ' + r.keys + ' keys not valid';
    return '';
  }
  function renderEvidence(name, r) {
    if (r.failures && r.model && r.stats) return renderLinearizable(r);
    if (r['anomaly-types']) return renderElle(r);
    if (r.lostCount !== undefined) return renderSet(r);
    if (r.violations && r.violationCount !== undefined) return renderOverlaps(r);
    if (r.failures && r.keys !== undefined) {
      var box = h('div');
      r.failures.forEach(function (f) {
        box.appendChild(h('h3', '', 'key ' + show(f.key)));
        var inner = renderEvidence(name, f.result);
        if (inner) box.appendChild(inner);
      });
      return box;
    }
    return null;
  }

  // Linearizability: Porcupine-like bars of the ops around the failing op, and the longest
  // partial linearizations as numbered steps with the state after each.
  function renderLinearizable(r) {
    var box = h('div');
    r.failures.slice(0, 10).forEach(function (f) {
      var sec = h('div');
      if (f.key !== null && f.key !== undefined) sec.appendChild(h('h3', '', 'key ' + show(f.key)));
      if (f.valid === 'unknown') { sec.appendChild(h('p', 'explain', 'undecided: ' + (f.reason || 'search stopped'))); box.appendChild(sec); return; }
      if (f.op) {
        add(sec, add(h('p', 'explain'), 'Op ', opLink(f.op.index), ' (process ' + f.op.process + ') ', h('code', 'mono', f.op.description), ' cannot be linearized.'));
      }
      add(sec, add(h('p', 'explain'), 'Where the longest partial linearizations end, the state could be: ', h('code', 'mono', (f.states || []).join(' | ') || '(initial state)')));
      var vis = f.visualization;
      if (vis && vis.partials && vis.partials.length) {
        var holder = h('div');
        var pick = h('div', 'switch');
        var draw = function (k) {
          holder.textContent = '';
          Array.prototype.forEach.call(pick.children, function (b, j) { b.className = j === k ? 'on' : ''; });
          holder.appendChild(porcupine(vis, vis.partials[k], f.op));
          holder.appendChild(stepsList(vis.partials[k], f.op));
        };
        if (vis.partials.length > 1) {
          pick.appendChild(h('span', 'legend-note', 'partial linearization: '));
          vis.partials.slice(0, 8).forEach(function (p, k) {
            var b = h('button', '', '#' + (k + 1) + ' (' + p.steps.length + ' ops)');
            b.addEventListener('click', function () { draw(k); });
            pick.appendChild(b);
          });
          sec.appendChild(pick);
        }
        sec.appendChild(holder);
        draw(0);
      }
      box.appendChild(sec);
    });
    if (r.failures.length > 10) box.appendChild(h('p', 'summary', '\u2026 and ' + (r.failures.length - 10) + ' more partitions'));
    return box;
  }
  function s(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  function porcupine(vis, partial, bad) {
    var stepOf = new Map();
    partial.steps.forEach(function (st, k) { stepOf.set(st.index, k); });
    var badIndex = bad ? bad.index : -1;
    // The ops around the failure: the last steps of the partial, the failing op, and every op overlapping them.
    var tail = partial.steps.slice(-12).map(function (st) { return st.index; });
    var focus = new Set(tail);
    if (badIndex >= 0) focus.add(badIndex);
    var ends = function (o) { return o.completionIndex === null ? Infinity : o.completionIndex; };
    var lo = Infinity, hi = -Infinity;
    vis.ops.forEach(function (o) { if (focus.has(o.index)) { lo = Math.min(lo, o.index); hi = Math.max(hi, ends(o)); } });
    var shown = vis.ops.filter(function (o) { return focus.has(o.index) || (o.index <= hi && ends(o) >= lo); });
    if (shown.length > 80) {
      shown.sort(function (a, b) { return Math.abs(a.index - badIndex) - Math.abs(b.index - badIndex); });
      shown = shown.slice(0, 80);
    }
    var maxFinite = 0;
    shown.forEach(function (o) { maxFinite = Math.max(maxFinite, o.index, o.completionIndex === null ? 0 : o.completionIndex); });
    var bounds = [];
    shown.forEach(function (o) { bounds.push(o.index, o.completionIndex === null ? maxFinite + 1 : o.completionIndex); });
    bounds = Array.from(new Set(bounds)).sort(function (a, b) { return a - b; });
    var rank = new Map(); bounds.forEach(function (b, k) { rank.set(b, k); });
    var procs = Array.from(new Set(shown.map(function (o) { return o.process; }))).sort(function (a, b) { return a - b; });
    var longest = 0;
    shown.forEach(function (o) { longest = Math.max(longest, o.description.length + 4); });
    // Wide enough that a bar spanning two steps shows its whole label, within reason.
    var STEP = Math.max(40, Math.min(120, Math.ceil(longest * 6.6 / 2) + 6)), ROW = 30, LEFT = 44, TOP = 8;
    var width = LEFT + Math.max(1, bounds.length) * STEP + 20, height = TOP + procs.length * ROW + 6;
    var svg = s('svg', { width: width, height: height, role: 'img' });
    procs.forEach(function (p, k) {
      var t = s('text', { x: 4, y: TOP + k * ROW + 19, fill: '#6b7280' }); t.textContent = 'p' + p; svg.appendChild(t);
      svg.appendChild(s('line', { x1: LEFT, x2: width - 10, y1: TOP + k * ROW + 26, y2: TOP + k * ROW + 26, stroke: '#f3f4f6' }));
    });
    shown.forEach(function (o) {
      var x1 = LEFT + rank.get(o.index) * STEP, x2 = LEFT + rank.get(o.completionIndex === null ? maxFinite + 1 : o.completionIndex) * STEP + STEP - 6;
      var y = TOP + procs.indexOf(o.process) * ROW + 3;
      var k = stepOf.get(o.index);
      var isBad = o.index === badIndex;
      var g = s('g', { cursor: 'pointer' });
      g.appendChild(s('rect', {
        x: x1, y: y, width: Math.max(8, x2 - x1), height: 22, rx: 3,
        fill: isBad ? '#fecaca' : k !== undefined ? '#bbf7d0' : '#e5e7eb',
        stroke: isBad ? '#dc2626' : k !== undefined ? '#16a34a' : '#9ca3af', 'stroke-dasharray': o.known ? '' : '4 3'
      }));
      var label = (k !== undefined ? (k + 1) + ': ' : isBad ? '\u2717 ' : '') + o.description;
      var t = s('text', { x: x1 + 4, y: y + 15, fill: '#111827' });
      t.textContent = clip(label, Math.max(2, Math.floor((x2 - x1 - 6) / 6.6)));
      g.appendChild(t);
      var tip = s('title', {});
      tip.textContent = 'op ' + o.index + ' (p' + o.process + '): ' + o.description +
        (k !== undefined ? '\nlinearized as step ' + (k + 1) + '; state after: ' + partial.steps[k].stateAfter : isBad ? '\ncannot be linearized here' : '\nnot linearized in this partial');
      g.appendChild(tip);
      g.addEventListener('click', function () { focusOp(o.index); });
      svg.appendChild(g);
    });
    var wrap = h('div', 'porcupine');
    wrap.appendChild(svg);
    var keys = add(h('div', 'legend-note'), key('#bbf7d0', 'linearized (step number)'), key('#fecaca', 'cannot be linearized'), key('#e5e7eb', 'not linearized yet'), ' dashed: outcome unknown (info). Bars run from call to return, in history order.');
    return add(h('div'), wrap, keys);
  }
  function key(color, label) { var k = h('span', 'key'); var i = h('i'); i.style.background = color; return add(k, i, label); }
  function stepsList(partial, bad) {
    var list = h('ol', 'steps');
    var from = Math.max(0, partial.steps.length - 12);
    list.start = from + 1;
    partial.steps.slice(from).forEach(function (st) {
      add(list, add(h('li'), opLink(st.index), ' ', h('code', 'mono', st.description), ' \u2192 state ', h('code', 'mono', st.stateAfter)));
    });
    if (bad) add(list, add(h('li', 'bad'), opLink(bad.index), ' ', h('code', 'mono', bad.description), ' \u2014 no state reached allows it'));
    var d = add(h('div'), h('div', 'legend-note', partial.steps.length > 12 ? 'last 12 of ' + partial.steps.length + ' steps:' : partial.steps.length + ' steps:'), list);
    return d;
  }

  function renderElle(r) {
    var box = h('div');
    if (r.not && r.not.length) box.appendChild(h('p', 'explain', 'Rules out: ' + r.not.join(', ') + (r['also-not'] && r['also-not'].length ? ' (and ' + r['also-not'].join(', ') + ')' : '')));
    (r['anomaly-types'] || []).forEach(function (t) {
      var list = (r.anomalies && r.anomalies[t]) || [];
      box.appendChild(h('h3', '', t + ' \u00d7 ' + ((r['anomaly-counts'] || {})[t] || list.length)));
      list.slice(0, 5).forEach(function (a) {
        box.appendChild(h('p', 'explain', a.explanation));
        if (a.cycle && a.cycle.length) {
          box.appendChild(table(['from', '', 'to', 'edge', 'why'], a.cycle.map(function (e) {
            return [txLink(e.from), '\u2192', txLink(e.to), e.type, e.explanation];
          })));
        }
        if (a.ops && a.ops.length) box.appendChild(add(h('p', 'legend-note'), 'ops: ', opList(a.ops)));
      });
    });
    return box;
  }
  function txLink(name) {
    var m = /^T(\d+)$/.exec(String(name));
    return m ? opLink(Number(m[1]), String(name)) : h('span', 'mono', name);
  }

  function renderSet(r) {
    var box = h('div');
    if (r.lost && r.lost.length) {
      box.appendChild(h('h3', '', 'Lost elements (' + r.lostCount + '): acknowledged, missing from the final read'));
      box.appendChild(h('p', 'mono', r.lost.slice(0, 500).map(show).join(', ') + (r.lost.length > 500 ? ', \u2026' : '')));
    }
    if (r.lostAdds && r.lostAdds.length) {
      box.appendChild(table(['element', 'acknowledged by'], r.lostAdds.slice(0, 50).map(function (x) { return [show(x.element), opLink(x.add)]; })));
      if (r.finalRead !== null && r.finalRead !== undefined) box.appendChild(add(h('p', 'legend-note'), 'final read: ', opLink(r.finalRead)));
    }
    if (r.lostDetail && r.lostDetail.length) {
      box.appendChild(table(['element', 'known at', 'last seen by', 'missed by', 'ms'], r.lostDetail.map(function (x) {
        return [show(x.element), opLink(x.known), x.lastSeen === null ? '\u2013' : opLink(x.lastSeen), opLink(x.missedBy), fmt(x.latencyMs)];
      }), [false, false, false, false, true]));
    }
    if (r.unexpected && r.unexpected.length) box.appendChild(h('p', 'explain', 'Read but never attempted: ' + r.unexpected.slice(0, 100).map(function (u) { return show(u && u.element !== undefined ? u.element : u); }).join(', ')));
    return box.childNodes.length ? box : null;
  }

  function holdCell(x) {
    if (!x) return '';
    var s1 = add(h('span'), 'p' + x.process + (x.node ? ' @' + x.node : '') + ' acquire ', opLink(x.acquire));
    if (x.acquired !== null && x.acquired !== undefined) add(s1, '\u2192', opLink(x.acquired));
    if (x.release !== null && x.release !== undefined) add(s1, ', release ', opLink(x.release));
    if (x.term !== undefined) add(s1, ', term ' + show(x.term));
    return s1;
  }
  function renderOverlaps(r) {
    var box = h('div');
    var rows = function (list) {
      return list.slice(0, 50).map(function (v) {
        return [show(v.lock !== undefined ? v.lock : v.election), holdCell(v.first), holdCell(v.second),
          add(h('span'), 'after ', opLink(v.from.op), v.until ? add(h('span'), ' before ', opLink(v.until.op)) : ' to the end'), v.because || ''];
      });
    };
    if (r.violations.length) {
      box.appendChild(h('h3', '', 'Overlapping holders (' + r.violationCount + ')'));
      box.appendChild(table(['resource', 'first', 'second', 'overlap', ''], rows(r.violations)));
    }
    if (r.uncertain && r.uncertain.length) {
      var d = add(h('details'), h('summary', '', 'Possible overlaps resting on info ops (' + r.uncertainCount + ')'));
      d.appendChild(table(['resource', 'first', 'second', 'overlap', 'because'], rows(r.uncertain)));
      box.appendChild(d);
    }
    return box.childNodes.length ? box : null;
  }

  // --- performance ----------------------------------------------------------------------
  var perfEl = document.getElementById('perf');
  if (!perf) perfEl.appendChild(h('p', 'summary', 'No performance figures for this run.'));
  else renderPerf();

  function card(k, v) { return add(h('div', 'card'), h('div', 'k', k), h('div', 'v', v)); }
  function renderPerf() {
    var L = perf.latency.overall;
    var span = Math.max(1e-9, perf.end - perf.start);
    add(perfEl, add(h('div', 'cards'),
      card('ok / fail / info', perf.counts.ok + ' / ' + perf.counts.fail + ' / ' + perf.counts.info),
      card('ok per second', fmt(perf.counts.ok / span)),
      card('availability', pct(perf.availability.overall)),
      card('latency p50 / p99', fmt(L.p50) + ' / ' + fmt(L.p99) + ' ms'),
      card('max latency', fmt(L.max) + ' ms'),
      card('longest without ok', perf.longestOutage ? fmt(perf.longestOutage.durationS) + ' s' : '\u2013')
    ));
    var states = Object.keys(perf.latency.byState);
    perfEl.appendChild(h('h3', '', 'Latency (ms) by fault state at invocation'));
    var qrow = function (name, q, avail) { return [name, q.count, fmt(q.p50), fmt(q.p90), fmt(q.p99), fmt(q.p999), fmt(q.max), avail]; };
    var rows = [qrow('all', L, pct(perf.availability.overall))].concat(states.map(function (st) { return qrow(st, perf.latency.byState[st], pct(perf.availability.byState[st])); }));
    Object.keys(perf.latency.byF).forEach(function (f) { rows.push(qrow('f = ' + f, perf.latency.byF[f], '')); });
    perfEl.appendChild(table(['ops', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max', 'availability'], rows, [false, true, true, true, true, true, true, true]));
    if (perf.availability.faults.length) {
      perfEl.appendChild(h('h3', '', 'Faults'));
      var ri = 0;
      perfEl.appendChild(table(['fault', 'from (s)', 'to (s)', 'completed', 'availability', 'p99 (ms)', 'recovered after heal'],
        perf.availability.faults.map(function (f) {
          var recovery = '';
          if (f.end !== null) { recovery = D.recoveryText[ri++] || ''; }
          var name = add(h('span'), h('b', '', f.kind), ' ', h('span', 'mono', f.label));
          name.firstChild.style.color = faultText(f.kind);
          return [name, fmt(f.start), f.end === null ? 'never healed' : fmt(f.end), f.completed, pct(f.availability), fmt(f.latency.p99), recovery];
        }), [false, true, true, true, true, true, true]));
    }
    var plots = h('div', 'plots');
    perfEl.appendChild(plots);
    drawPlots(plots);
  }

  function shadeFaults(u) {
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
    faults.forEach(function (f, k) {
      var x1 = u.valToPos(f.start, 'x', true), x2 = u.valToPos(f.end === null ? perf.end : f.end, 'x', true);
      ctx.fillStyle = faultFill(f.kind);
      ctx.fillRect(x1, b.top, Math.max(1, x2 - x1), b.height);
    });
    ctx.restore();
  }
  function labelFaults(u) {
    var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
    ctx.font = (11 * dpr) + 'px system-ui, sans-serif';
    faults.forEach(function (f, k) {
      var x1 = u.valToPos(f.start, 'x', true), x2 = u.valToPos(f.end === null ? perf.end : f.end, 'x', true);
      if (x2 - x1 < 24 * dpr) return;
      ctx.fillStyle = faultText(f.kind);
      ctx.fillText(clip(f.kind + (f.label.indexOf(' ') > 0 ? ' ' + f.label.slice(f.label.indexOf(' ') + 1) : ''), Math.floor((x2 - x1) / (6 * dpr))), x1 + 4 * dpr, b.top + (12 + (k % 2) * 12) * dpr);
    });
    faultEvents.forEach(function (e) {
      var x = u.valToPos(e.time, 'x', true);
      ctx.strokeStyle = faultText(e.kind); ctx.setLineDash([4 * dpr, 3 * dpr]);
      ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
    });
    ctx.restore();
  }
  function plot(container, titleText, note, opts, data) {
    var box = add(h('div', 'plot'), h('h3', '', titleText));
    if (note) box.appendChild(h('div', 'legend-note', note));
    container.appendChild(box);
    var target = h('div');
    box.appendChild(target);
    opts.width = Math.max(300, container.clientWidth - 8);
    opts.height = opts.height || 240;
    opts.hooks = { drawClear: [shadeFaults], draw: [labelFaults] };
    opts.cursor = opts.cursor || { sync: { key: 'faultline' }, drag: { x: true, y: false } };
    var u = new uPlot(opts, data, target);
    plotList.push({ u: u, container: container });
    return u;
  }
  window.addEventListener('resize', function () {
    plotList.forEach(function (p) { p.u.setSize({ width: Math.max(300, p.container.clientWidth - 8), height: p.u.height }); });
    if (timeline) timeline.resize();
  });
  function drawPlots(el) {
    var note = faults.length ? 'Shaded: fault windows (from the start of a fault to the completion of its heal). Drag to zoom; double-click to reset.' : 'No faults were injected in this run. Drag to zoom; double-click to reset.';
    // Latency scatter: x sorted, one column per outcome (null where another outcome's point is).
    var sc = D.scatter;
    var order = sc.time.map(function (_, i) { return i; }).sort(function (a, b) { return sc.time[a] - sc.time[b]; });
    var xs = [], ys = [[], [], []];
    order.forEach(function (i) {
      xs.push(sc.time[i]);
      for (var k = 0; k < 3; k++) ys[k].push(sc.type[i] === k ? sc.latency[i] : null);
    });
    var pts = function (k) {
      return { label: TYPE_NAMES[k], stroke: TYPE_COLORS[k], fill: TYPE_COLORS[k], paths: function () { return null; }, points: { show: true, size: xs.length < 2000 ? 6 : 3, width: 0, fill: TYPE_COLORS[k], stroke: TYPE_COLORS[k] }, value: function (u, v) { return v === null ? '\u2013' : fmt(v) + ' ms'; } };
    };
    plot(el, 'Latency of each op', note + (sc.okKept < sc.okTotal ? ' Showing ' + sc.okKept.toLocaleString('en-US') + ' of ' + sc.okTotal.toLocaleString('en-US') + ' oks (evenly sampled); every fail and info.' : ''), {
      scales: { x: { time: false }, y: { distr: 3 } },
      series: [{ label: 'invoked (s)', value: function (u, v) { return v === null ? '\u2013' : fmt(v, 3); } }, pts(0), pts(1), pts(2)],
      axes: [xAxis, { label: 'latency (ms, log)', labelSize: 20 }]
    }, [xs].concat(ys));
    var mids = perf.windows.map(function (w) { return w + perf.windowS / 2; });
    var lot = perf.latencyOverTime;
    var line = function (label, color, dash) { return { label: label, stroke: color, width: 1.5, dash: dash, spanGaps: false, value: function (u, v) { return v === null ? '\u2013' : fmt(v) + ' ms'; } }; };
    plot(el, 'Latency quantiles over time', 'Per ' + perf.windowS + ' s window, ops by completion time.', {
      scales: { x: { time: false }, y: { distr: 3 } },
      series: [{ label: 'window (s)' }, line('p50', '#2563eb'), line('p90', '#7c3aed'), line('p99', '#db2777'), line('p99.9', '#f97316', [4, 3]), line('max', '#6b7280', [2, 3])],
      axes: [xAxis, { label: 'latency (ms, log)', labelSize: 20 }]
    }, [mids, lot.p50, lot.p90, lot.p99, lot.p999, lot.max]);
    var palette = ['#2563eb', '#16a34a', '#9333ea', '#0891b2', '#4f46e5', '#65a30d'];
    var series = [{ label: 'window (s)' }];
    var data = [mids];
    perf.throughput.forEach(function (t, k) {
      var color = t.type === 'ok' ? palette[k % palette.length] : t.type === 'fail' ? '#ef4444' : '#f59e0b';
      series.push({ label: t.f + ' ' + t.type, stroke: color, width: 1.5, dash: t.type === 'ok' ? undefined : t.type === 'fail' ? [5, 3] : [2, 2], value: function (u, v) { return v === null ? '\u2013' : fmt(v) + '/s'; } });
      data.push(t.rate);
    });
    plot(el, 'Throughput over time', 'Completions per second, per f and outcome, per ' + perf.windowS + ' s window.', {
      scales: { x: { time: false } }, series: series, axes: [xAxis, { label: 'ops / s', labelSize: 20 }]
    }, data);
    plot(el, 'Availability over time', 'Share of ok among the ops completing in each window.', {
      height: 160, scales: { x: { time: false }, y: { range: [0, 100] } },
      series: [{ label: 'window (s)' }, { label: 'ok %', stroke: '#16a34a', width: 1.5, points: { show: true, size: 4 }, value: function (u, v) { return v === null ? '\u2013' : fmt(v) + '%'; } }],
      axes: [xAxis, { label: 'ok %', labelSize: 20 }]
    }, [mids, perf.availability.windows.map(function (a) { return a === null ? null : a * 100; })]);
  }

  // --- timeline: one row per process, drawn on a canvas, zoomable, virtualised ----------
  timeline = makeTimeline(document.getElementById('timeline-body'));
  function makeTimeline(host) {
    var ROW = 16, AXIS = 22, GUTTER = 64, VIEW_H = 420;
    // Lanes: a crashed process's thread goes on as a fresh process, so processes whose lives do
    // not overlap share a lane (as a thread's successive processes do); the nemesis has its own.
    var procOrder = [];
    var byProc = new Map();
    for (var i = 0; i < N; i++) {
      var p = C.process[i];
      var list = byProc.get(p);
      if (!list) { list = []; byProc.set(p, list); procOrder.push(p); }
      list.push(i);
    }
    var life = function (p) { var l = byProc.get(p); return [C.start[l[0]], endOf(l[l.length - 1])]; };
    procOrder.sort(function (a, b) { return a === -1 ? -1 : b === -1 ? 1 : life(a)[0] - life(b)[0] || a - b; });
    var laneEnds = [], laneLists = [], rowOfProc = new Map();
    procOrder.forEach(function (p) {
      var span = life(p), lane = -1;
      if (p !== -1) for (var k = 0; k < laneEnds.length; k++) if (laneLists[k].nemesis !== true && laneEnds[k] <= span[0]) { lane = k; break; }
      if (lane < 0) { lane = laneEnds.length; laneEnds.push(0); laneLists.push([]); laneLists[lane].nemesis = p === -1; }
      laneEnds[lane] = span[1];
      rowOfProc.set(p, lane);
      Array.prototype.push.apply(laneLists[lane], byProc.get(p));
    });
    var rowsOf = laneLists.map(function (l) { return Int32Array.from(l); });
    // Lanes that hold several processes name the process on each op's label.
    var shared = rowsOf.map(function (l) { return l.length > 0 && C.process[l[0]] !== C.process[l[l.length - 1]]; });
    var procs = rowsOf;
    var processCount = procOrder.length;
    var tools = h('div', 'tl-tools');
    var reset = h('button', '', 'reset zoom');
    tools.appendChild(reset);
    tools.appendChild(h('span', 'legend-note', 'wheel: zoom time \u00b7 drag: pan \u00b7 shift+wheel: scroll processes \u00b7 click an op for details'));
    var keys = h('span');
    for (var k = 0; k < 4; k++) keys.appendChild(key(TYPE_COLORS[k], TYPE_NAMES[k] === 'open' ? 'never completed' : TYPE_NAMES[k]));
    keys.appendChild(key('#4b5563', 'nemesis op'));
    if (faults.length) keys.appendChild(key(faultFill('partition'), 'fault window'));
    tools.appendChild(keys);
    host.appendChild(tools);
    var wrap = h('div', 'tl-wrap');
    var canvas = h('canvas');
    var tip = h('div', 'tip');
    wrap.appendChild(canvas); wrap.appendChild(tip);
    host.appendChild(wrap);
    var detail = h('pre', 'mono');
    detail.id = 'op-detail';
    detail.textContent = N + ' operations (client and nemesis) by ' + processCount + ' processes in ' + rowsOf.length + ' lanes (a crashed process\'s thread continues as a new process in the same lane). Click an op to see it here.';
    host.appendChild(detail);
    var view = { t0: tMin, t1: tMax + (tMax - tMin) * 0.01, top: 0 };
    var selected = -1;
    var W = 0, H = 0, dpr = 1;
    var ctx = canvas.getContext('2d');
    function resize() {
      dpr = window.devicePixelRatio || 1;
      W = Math.max(300, host.clientWidth);
      H = Math.min(VIEW_H, AXIS + procs.length * ROW + 4);
      canvas.width = W * dpr; canvas.height = H * dpr;
      canvas.style.width = W + 'px'; canvas.style.height = H + 'px';
      draw();
    }
    function xOf(t) { return GUTTER + (t - view.t0) / (view.t1 - view.t0) * (W - GUTTER); }
    function tOf(x) { return view.t0 + (x - GUTTER) / (W - GUTTER) * (view.t1 - view.t0); }
    function maxTop() { return Math.max(0, procs.length * ROW - (H - AXIS)); }
    function endOf(r) { var e = C.end[r]; return e === e ? e : tMax; }
    // First op of a row ending at or after t: a process runs one op at a time, so ends are sorted.
    function firstFrom(list, t) {
      var lo = 0, hi = list.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (endOf(list[mid]) < t) lo = mid + 1; else hi = mid; }
      return lo;
    }
    function draw() {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, W, H);
      // fault windows behind everything
      faults.forEach(function (f) {
        var x1 = Math.max(GUTTER, xOf(f.start)), x2 = Math.min(W, xOf(f.end === null ? tMax : f.end));
        if (x2 <= x1) return;
        ctx.fillStyle = faultFill(f.kind); ctx.fillRect(x1, AXIS, x2 - x1, H - AXIS);
        if (x2 - x1 > 40) { ctx.fillStyle = faultText(f.kind); ctx.font = '11px system-ui, sans-serif'; ctx.fillText(clip(f.kind, Math.floor((x2 - x1) / 7)), x1 + 3, AXIS + 11); }
      });
      var first = Math.floor(view.top / ROW), last = Math.min(procs.length - 1, Math.ceil((view.top + H - AXIS) / ROW));
      ctx.save();
      ctx.beginPath(); ctx.rect(GUTTER, AXIS, W - GUTTER, H - AXIS); ctx.clip();
      for (var row = first; row <= last; row++) {
        var y = AXIS + row * ROW - view.top;
        var list = rowsOf[row];
        var lastPx = -1, lastType = -1;
        for (var j = firstFrom(list, view.t0); j < list.length; j++) {
          var r = list[j];
          if (C.start[r] > view.t1) break;
          var x1 = xOf(C.start[r]), x2 = xOf(endOf(r));
          var ty = C.process[r] === -1 ? 4 : C.type[r];
          // Ops thinner than a pixel merge into the pixel already drawn.
          if (x2 < lastPx + 1 && ty === lastType) continue;
          ctx.fillStyle = ty === 4 ? '#4b5563' : TYPE_COLORS[ty];
          ctx.fillRect(x1, y + 2, Math.max(1, x2 - x1 - (x2 - x1 > 3 ? 1 : 0)), ROW - 4);
          if (x2 - x1 > 60) {
            ctx.fillStyle = '#fff'; ctx.font = '10px ui-monospace, monospace';
            var v = D.values[r];
            var label = (shared[row] ? procName(C.process[r]) + ' ' : '') + TL.fs[C.f[r]] + (v ? ' ' + v[0].replace(/^invoke \S+ ?/, '') : '');
            ctx.fillText(clip(label, Math.floor((x2 - x1 - 4) / 6)), x1 + 3, y + ROW - 5);
          }
          if (j > 0 && x2 - x1 > 6 && C.process[list[j - 1]] !== C.process[r]) { ctx.fillStyle = '#111827'; ctx.fillRect(x1 - 1, y, 1, ROW); }
          lastPx = x2; lastType = ty;
        }
      }
      if (selected >= 0) {
        var srow = rowOfProc.get(C.process[selected]);
        var sy = AXIS + srow * ROW - view.top;
        var sx1 = xOf(C.start[selected]), sx2 = xOf(endOf(selected));
        ctx.strokeStyle = '#111827'; ctx.lineWidth = 2;
        ctx.strokeRect(sx1 - 2, sy, Math.max(4, sx2 - sx1 + 4), ROW);
        ctx.lineWidth = 1;
      }
      ctx.restore();
      // gutter with process names
      ctx.fillStyle = '#f9fafb'; ctx.fillRect(0, AXIS, GUTTER, H - AXIS);
      ctx.fillStyle = '#374151'; ctx.font = '11px ui-monospace, monospace';
      for (var row2 = first; row2 <= last; row2++) {
        var y2 = AXIS + row2 * ROW - view.top;
        if (y2 + ROW <= AXIS) continue;
        // A lane is named by the process it runs at the left edge of the view.
        var lane = rowsOf[row2], at = Math.min(lane.length - 1, firstFrom(lane, view.t0));
        ctx.fillText(procName(C.process[lane[at]]), 6, y2 + ROW - 4);
      }
      // time axis
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, W, AXIS);
      ctx.strokeStyle = '#e5e7eb'; ctx.beginPath(); ctx.moveTo(0, AXIS - 0.5); ctx.lineTo(W, AXIS - 0.5); ctx.stroke();
      var span = view.t1 - view.t0, stepT = Math.pow(10, Math.floor(Math.log10(span / 8)));
      if (span / stepT > 16) stepT *= 5; else if (span / stepT > 8) stepT *= 2;
      ctx.fillStyle = '#6b7280'; ctx.font = '11px system-ui, sans-serif';
      var digits = Math.max(0, -Math.floor(Math.log10(stepT)));
      for (var t = Math.ceil(view.t0 / stepT) * stepT; t <= view.t1; t += stepT) {
        var x = xOf(t);
        if (x < GUTTER) continue;
        ctx.fillRect(x, AXIS - 5, 1, 5);
        ctx.fillText(t.toFixed(digits) + ' s', x + 2, AXIS - 8);
      }
    }
    function hit(mx, my) {
      if (mx < GUTTER || my < AXIS) return -1;
      var row = Math.floor((my - AXIS + view.top) / ROW);
      if (row < 0 || row >= procs.length) return -1;
      var list = rowsOf[row];
      var slack = 3 * (view.t1 - view.t0) / (W - GUTTER);
      var t = tOf(mx);
      var j = firstFrom(list, t - slack);
      return j < list.length && C.start[list[j]] <= t + slack ? list[j] : -1;
    }
    function zoom(factor, atX) {
      var t = tOf(atX), span = (view.t1 - view.t0) * factor;
      span = Math.max(1e-6, Math.min(span, (tMax - tMin) * 1.5 + 1e-9));
      var frac = (atX - GUTTER) / (W - GUTTER);
      view.t0 = t - frac * span; view.t1 = view.t0 + span;
      draw();
    }
    canvas.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      if (ev.shiftKey) { view.top = Math.max(0, Math.min(maxTop(), view.top + (ev.deltaY || ev.deltaX))); draw(); return; }
      zoom(Math.pow(1.0015, ev.deltaY), ev.offsetX);
    }, { passive: false });
    var drag = null;
    canvas.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, y: ev.clientY, t0: view.t0, t1: view.t1, top: view.top, moved: false }; canvas.style.cursor = 'grabbing'; });
    window.addEventListener('mouseup', function (ev) {
      if (!drag) return;
      var wasClick = !drag.moved;
      drag = null; canvas.style.cursor = 'grab';
      if (wasClick && ev.target === canvas) {
        var r = hit(ev.offsetX, ev.offsetY);
        if (r >= 0) select(r);
      }
    });
    window.addEventListener('mousemove', function (ev) {
      if (drag) {
        var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        var dt = dx / (W - GUTTER) * (drag.t1 - drag.t0);
        view.t0 = drag.t0 - dt; view.t1 = drag.t1 - dt;
        view.top = Math.max(0, Math.min(maxTop(), drag.top - dy));
        draw();
        return;
      }
      if (ev.target !== canvas) { tip.style.display = 'none'; return; }
      var r = hit(ev.offsetX, ev.offsetY);
      if (r < 0) { tip.style.display = 'none'; return; }
      tip.textContent = opSummary(r);
      tip.style.display = 'block';
      tip.style.left = Math.min(ev.offsetX + 12, W - 300) + 'px';
      tip.style.top = (ev.offsetY + 14) + 'px';
    });
    reset.addEventListener('click', function () { view.t0 = tMin; view.t1 = tMax + (tMax - tMin) * 0.01; view.top = 0; draw(); });
    function select(r) {
      selected = r;
      detail.textContent = opSummary(r);
      draw();
    }
    function focus(r) {
      var span = Math.max((endOf(r) - C.start[r]) * 12, (tMax - tMin) / 200, 1e-4);
      var mid = (C.start[r] + endOf(r)) / 2;
      view.t0 = mid - span / 2; view.t1 = mid + span / 2;
      var row = rowOfProc.get(C.process[r]);
      view.top = Math.max(0, Math.min(maxTop(), row * ROW - (H - AXIS) / 2));
      select(r);
    }
    resize();
    return { focus: focus, resize: resize, canvas: canvas };
  }

  // --- facts ------------------------------------------------------------------------------
  var factsEl = document.getElementById('facts');
  var rowsF = [];
  ['name', 'workload', 'db', 'seed', 'nodes', 'versions', 'nemesis', 'startedAt', 'endedAt', 'durationS', 'faultline', 'node', 'argv'].forEach(function (k) {
    if (facts[k] !== undefined && facts[k] !== null) rowsF.push([k, clip(show(facts[k]), 2000)]);
  });
  if (results && results.stats) Object.keys(results.stats).forEach(function (k) { rowsF.push(['stats.' + k, show(results.stats[k])]); });
  rowsF.push(['report generated', D.generatedAt]);
  var ft = table(['fact', 'value'], rowsF);
  ft.className = 'facts';
  factsEl.appendChild(ft);
  if (facts.plan) {
    var det = add(h('details'), h('summary', '', 'plan'));
    det.appendChild(h('pre', 'mono', JSON.stringify(facts.plan, null, 2)));
    factsEl.appendChild(det);
  }
  document.body.setAttribute('data-ready', '1');
})();
`;
