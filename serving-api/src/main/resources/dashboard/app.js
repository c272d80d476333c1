// Sightline dashboard: plain JavaScript, no dependencies, works offline.
'use strict';
const COLORS = ['#58a6ff', '#3fb950', '#d29922', '#f85149', '#bc8cff', '#39c5cf', '#ff7b72', '#e3b341'];
const DEFAULT_METRIC = 'event_count';
const state = { metric: null, groupBy: '', window: 'PT1M', rangeMin: 60, series: new Map(), alerts: new Map(), catalog: [] };
const $ = (id) => document.getElementById(id);

function token() { return localStorage.getItem('sightline.readToken'); }

async function api(path) {
  const headers = token() ? { Authorization: 'Bearer ' + token() } : {};
  const res = await fetch(path, { headers });
  if (res.status === 401) {
    const t = prompt('This Sightline API needs a read token:');
    if (t) { localStorage.setItem('sightline.readToken', t); return api(path); }
  }
  if (!res.ok) { const err = new Error(path + ' answered ' + res.status); err.status = res.status; throw err; }
  return res.json();
}

// A metric the pipeline has not written yet is unknown to the API (404): that is "no data", not an error.
async function apiIfKnown(path) {
  // 404: no such metric yet; 400: a filter names a dimension no series of it has yet
  try { return await api(path); } catch (err) { if (err.status === 404 || err.status === 400) return null; throw err; }
}

async function loadCatalog() {
  const catalog = await api('/v1/metrics');
  state.catalog = catalog.metrics;
  const select = $('metric');
  const current = state.metric;
  select.innerHTML = '';
  for (const m of catalog.metrics) select.add(new Option(m.name, m.name));
  // Until someone picks a metric, show the headline one (events by name) once it exists.
  const has = (name) => catalog.metrics.some((m) => m.name === name);
  state.metric = state.userChoseMetric && has(current) ? current
    : has(DEFAULT_METRIC) ? DEFAULT_METRIC
    : has(current) ? current : (catalog.metrics[0] || {}).name || null;
  if (state.metric) select.value = state.metric;
  fillGroupBy();
}

function fillGroupBy() {
  const m = state.catalog.find((x) => x.name === state.metric);
  const select = $('groupBy');
  const current = state.groupBy;
  select.innerHTML = '<option value="">(none)</option>';
  for (const d of (m ? m.dimensions : [])) select.add(new Option(d, d));
  state.groupBy = m && m.dimensions.includes(current) ? current : (m && m.dimensions[0]) || '';
  select.value = state.groupBy;
  const windows = $('window');
  const currentWindow = state.window;
  windows.innerHTML = '';
  for (const w of (m ? m.windows : ['PT1M'])) windows.add(new Option(w === 'PT1H' ? '1 hour' : w === 'PT1M' ? '1 minute' : w, w));
  state.window = m && m.windows.includes(currentWindow) ? currentWindow : (m ? m.windows[0] : 'PT1M');
  windows.value = state.window;
}

async function loadSeries() {
  if (!state.metric) { render(); return; }
  const to = new Date();
  const from = new Date(to.getTime() - state.rangeMin * 60000);
  let path = '/v1/metrics/' + encodeURIComponent(state.metric) + '?from=' + from.toISOString() + '&to=' + to.toISOString()
    + '&window=' + state.window;
  if (state.groupBy) path += '&groupBy=' + encodeURIComponent(state.groupBy) + '&top=8';
  const answer = await api(path);
  state.series = new Map();
  for (const s of answer.series) {
    const name = Object.values(s.dimensions).join(', ') || state.metric;
    state.series.set(name, new Map(s.points.map((p) => [p.start, p.value])));
  }
  showFreshness(answer.freshness);
  render();
}

function showFreshness(f) {
  const el = $('freshness');
  if (!f || f.lagMs == null) { el.textContent = 'freshness: no data'; el.className = 'freshness unknown'; return; }
  const s = f.lagMs / 1000;
  el.textContent = 'freshness: ' + (s < 60 ? s.toFixed(1) + ' s' : Math.round(s / 60) + ' min') + (f.stale ? ' (stale)' : '');
  el.className = 'freshness ' + (f.stale || s > 60 ? 'bad' : s > 5 ? 'warn' : 'ok');
}

function render() {
  const svg = $('chart');
  const W = 800, H = 300, L = 40, B = 20;
  const now = Date.now();
  const t0 = now - state.rangeMin * 60000;
  let max = 1;
  for (const pts of state.series.values()) for (const v of pts.values()) max = Math.max(max, v);
  const x = (t) => L + (W - L - 5) * (t - t0) / (now - t0);
  const y = (v) => H - B - (H - B - 10) * v / max;
  let out = `<line class="axis" x1="${L}" y1="${H - B}" x2="${W}" y2="${H - B}"/><line class="axis" x1="${L}" y1="0" x2="${L}" y2="${H - B}"/>`;
  out += `<text x="2" y="12">${max}</text><text x="2" y="${H - B}">0</text>`;
  out += `<text x="${L}" y="${H - 4}">${new Date(t0).toLocaleTimeString()}</text><text x="${W - 60}" y="${H - 4}">now</text>`;
  const legend = $('legend');
  legend.innerHTML = '';
  let i = 0;
  for (const [name, pts] of state.series) {
    const color = COLORS[i++ % COLORS.length];
    const sorted = [...pts.entries()].map(([s, v]) => [Date.parse(s), v]).filter(([t]) => t >= t0).sort((a, b) => a[0] - b[0]);
    if (sorted.length) {
      const d = sorted.map(([t, v], k) => (k ? 'L' : 'M') + x(t).toFixed(1) + ' ' + y(v).toFixed(1)).join(' ');
      out += `<path class="series" data-series="${escapeHtml(name)}" d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`;
      for (const [t, v] of sorted) out += `<circle cx="${x(t).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${color}"><title>${escapeHtml(name)}: ${v}</title></circle>`;
    }
    const li = document.createElement('li');
    li.style.setProperty('--c', color);
    li.textContent = name;
    legend.appendChild(li);
  }
  svg.innerHTML = out;
  $('chart-empty').style.display = state.series.size ? 'none' : 'block';
  renderQuality();
}

function renderQuality() {
  const body = $('quality').querySelector('tbody');
  body.innerHTML = '';
  const lastMinute = new Date(Math.floor(Date.now() / 60000) * 60000).toISOString().replace('.000Z', 'Z');
  for (const [name, pts] of state.series) {
    let total = 0;
    for (const v of pts.values()) total += v;
    const tr = document.createElement('tr');
    tr.innerHTML = `<td>${escapeHtml(name)}</td><td>${total}</td><td>${pts.get(lastMinute) || 0}</td>`;
    body.appendChild(tr);
  }
}

// Pipeline stages (Streams application ids) whose consumer lag the anomaly processor reports.
const STAGES = ['sightline-enrich', 'sightline-aggregate', 'sightline-anomaly'];
// A stage whose newest lag is above this many seconds is marked behind.
const STAGE_BEHIND_SECONDS = 60;

function currentMinute() { return new Date(Math.floor(Date.now() / 60000) * 60000).toISOString().replace('.000Z', 'Z'); }

// One-minute windows of a metric, summed per value of one dimension: value -> { total, last, newest, newestValue }.
// Null when the pipeline has not written the metric at all.
async function perDimension(metric, dimension, from, to, filter = '') {
  const answer = await apiIfKnown('/v1/metrics/' + metric + '?window=PT1M&from=' + from.toISOString() + '&to=' + to.toISOString() + filter);
  if (!answer) return null;
  const lastMinute = currentMinute();
  const out = new Map();
  for (const s of answer.series) {
    const key = s.dimensions[dimension] || '(none)';
    const e = out.get(key) || { total: 0, last: 0, newest: null, newestValue: null };
    for (const p of s.points) {
      e.total += p.value;
      if (p.start === lastMinute) e.last += p.value;
      if (e.newest === null || p.start > e.newest) { e.newest = p.start; e.newestValue = p.value; }
      else if (p.start === e.newest) e.newestValue = Math.max(e.newestValue, p.value);
    }
    out.set(key, e);
  }
  return out;
}

function cell(cls, text, noData) {
  return `<td class="${cls}${noData ? ' nodata' : ''}">${escapeHtml(text)}</td>`;
}

async function loadQuality() {
  const to = new Date();
  const from = new Date(to.getTime() - state.rangeMin * 60000);
  const range = 'from=' + from.toISOString() + '&to=' + to.toISOString();
  const [volume, late, duplicates, lag, quality, violations] = await Promise.all([
    perDimension('events_by_source', 'source', from, to),
    // late_events counts per series: the one-minute series of events_by_source, next to its volume
    perDimension('late_events', 'source', from, to, '&metric=events_by_source'),
    perDimension('duplicate_events', 'source', from, to),
    perDimension('pipeline_lag_seconds', 'stage', new Date(to.getTime() - 15 * 60000), to),
    api('/v1/quality?' + range),
    api('/v1/quality/violations?groupBy=source,event,type,path&top=20&' + range)]);

  const rejected = new Map();
  for (const r of quality.rejects) rejected.set(r.source, (rejected.get(r.source) || 0) + r.count);
  const names = new Set([...rejected.keys()]);
  for (const m of [volume, late, duplicates]) if (m) for (const k of m.keys()) names.add(k);
  const sources = $('sources').querySelector('tbody');
  sources.innerHTML = '';
  for (const source of [...names].sort()) {
    const v = volume && volume.get(source);
    const l = late && late.get(source);
    const d = duplicates && duplicates.get(source);
    const tr = document.createElement('tr');
    tr.dataset.source = source;
    tr.innerHTML = cell('source', source) + cell('volume', v ? v.total : 'no data', !v) + cell('last', v ? v.last : 'no data', !v)
      + cell('rejected', rejected.get(source) || 0) + cell('late', l ? l.total : 'no data', !l) + cell('duplicates', d ? d.total : 'no data', !d);
    sources.appendChild(tr);
  }

  const stages = $('stages');
  stages.innerHTML = '';
  const stageNames = [...STAGES, ...[...(lag ? lag.keys() : [])].filter((s) => !STAGES.includes(s)).sort()];
  for (const stage of stageNames) {
    const e = lag && lag.get(stage);
    const li = document.createElement('li');
    li.dataset.stage = stage;
    if (!e) {
      li.className = 'stage nodata';
      li.innerHTML = `<span class="name">${escapeHtml(stage)}</span> <span class="status">no data</span>`;
    } else {
      const behind = e.newestValue > STAGE_BEHIND_SECONDS;
      li.className = 'stage ' + (behind ? 'behind' : 'healthy');
      li.title = 'largest lag in the minute from ' + new Date(e.newest).toLocaleTimeString();
      li.innerHTML = `<span class="name">${escapeHtml(stage)}</span> <span class="lag">${Number(e.newestValue.toFixed(1))} s</span> `
        + `<span class="status">${behind ? 'behind' : 'healthy'}</span>`;
    }
    stages.appendChild(li);
  }

  const body = $('rejects').querySelector('tbody');
  body.innerHTML = '';
  for (const r of quality.rejects) {
    const tr = document.createElement('tr');
    tr.innerHTML = `<td>${escapeHtml(r.source)}</td><td>${escapeHtml(r.component)}</td><td>${escapeHtml(r.reason)}</td><td>${r.count}</td>`;
    body.appendChild(tr);
  }
  $('rejects-empty').style.display = quality.rejects.length ? 'none' : 'block';

  const violationRows = $('violations').querySelector('tbody');
  violationRows.innerHTML = '';
  for (const g of violations.groups) {
    const f = g.fields;
    const tr = document.createElement('tr');
    tr.innerHTML = `<td>${escapeHtml(f.source)}</td><td>${escapeHtml(f.event)}</td><td>${escapeHtml(f.type)}</td>`
      + `<td>${escapeHtml(f.path)}</td><td>${g.count}</td>`;
    violationRows.appendChild(tr);
  }
  $('violations-empty').style.display = violations.groups.length ? 'none' : 'block';
}

async function loadAlerts() {
  const answer = await api('/v1/alerts');
  state.alerts = new Map(answer.alerts.map((a) => [a.fingerprint, a]));
  renderAlerts();
}

function renderAlerts() {
  const list = $('alerts');
  list.innerHTML = '';
  const alerts = [...state.alerts.values()].sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt)).slice(0, 20);
  for (const a of alerts) {
    const li = document.createElement('li');
    li.className = 'alert ' + a.status;
    li.dataset.fingerprint = a.fingerprint;
    li.innerHTML = `<strong>${escapeHtml(a.status.toUpperCase())}</strong> ${escapeHtml((a.labels || {}).severity || '')}
      <div>${escapeHtml((a.annotations || {}).summary || a.metric)}</div>
      <div class="explanation">${escapeHtml(a.explanation || (a.annotations || {}).description || '')}</div>`;
    list.appendChild(li);
  }
  $('alerts-empty').style.display = alerts.length ? 'none' : 'block';
}

function connectLive() {
  const url = '/v1/stream' + (token() ? '?access_token=' + encodeURIComponent(token()) : '');
  const source = new EventSource(url);
  const live = $('live');
  source.onopen = () => { live.textContent = 'live: on'; live.className = 'live on'; };
  source.onerror = () => { live.textContent = 'live: reconnecting'; live.className = 'live off'; };
  source.addEventListener('metric', (e) => {
    const data = JSON.parse(e.data);
    if (!state.metric || (!state.userChoseMetric && data.metric === DEFAULT_METRIC && state.metric !== DEFAULT_METRIC)) {
      loadCatalog().then(loadSeries);
      return;
    }
    if (data.metric === state.metric && data.window === state.window) {
      const name = state.groupBy ? (data.dimensions[state.groupBy] || '(none)') : (Object.values(data.dimensions).join(', ') || state.metric);
      if (!state.series.has(name)) state.series.set(name, new Map());
      // With a split, several series share a group: refetch instead of guessing the sum.
      if (state.groupBy && Object.keys(data.dimensions).length > 1) { scheduleReload(); return; }
      state.series.get(name).set(data.point.start, data.point.value);
      showFreshness({ lagMs: Math.max(0, Date.now() - Date.parse(data.updatedAt)), stale: false });
      render();
    }
  });
  source.addEventListener('alert', (e) => {
    const a = JSON.parse(e.data);
    state.alerts.set(a.fingerprint, a);
    renderAlerts();
  });
}

let reloadTimer = null;
function scheduleReload() { if (!reloadTimer) reloadTimer = setTimeout(() => { reloadTimer = null; loadSeries(); }, 1000); }

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

$('metric').addEventListener('change', (e) => { state.metric = e.target.value; state.userChoseMetric = true; fillGroupBy(); loadSeries(); });
$('groupBy').addEventListener('change', (e) => { state.groupBy = e.target.value; loadSeries(); });
$('window').addEventListener('change', (e) => { state.window = e.target.value; loadSeries(); });
$('range').addEventListener('change', (e) => { state.rangeMin = Number(e.target.value); loadSeries(); });

async function start() {
  try { await loadCatalog(); await loadSeries(); await loadAlerts(); await loadQuality(); } catch (err) { console.error(err); }
  connectLive();
  setInterval(() => { loadCatalog().then(loadSeries).catch(console.error); loadAlerts().catch(console.error); }, 30000);
  setInterval(() => loadQuality().catch(console.error), 10000);
}
start();
