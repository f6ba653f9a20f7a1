// The kdaflow console: one page, plain JavaScript, no libraries. Every AWS call goes through
// the twin's own APIs (`/console/aws/{service}`, answered by the same gateway every SDK
// talks to); the graph layout, sample inputs and live feeds come from `/console/api` and
// `/console/feed`, and a few views read the twin's `/_kdaflow` control endpoints.
'use strict';

// ---------------------------------------------------------------------------------------
// DOM and formatting helpers

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const SVG_NS = 'http://www.w3.org/2000/svg';

/** An element: h('div.a#b', {attr: v, onclick: fn}, child, ...). */
function h(spec, attrs, ...children) {
  const m = /^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement(m[1] || 'div');
  for (const part of (m[2] || '').match(/[.#][\w-]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (v) => String(v).replace(/[&<>"']/g, (c) => ESC[c]);

/** A time from the APIs (epoch seconds, or an ISO string) as a Date. */
function toDate(t) {
  if (t === undefined || t === null || t === '') return null;
  if (typeof t === 'number') return new Date(t * 1000);
  const d = new Date(t);
  return isNaN(d) ? null : d;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
function clock(d) {
  if (!d) return '';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
function stamp(t) {
  const d = toDate(t);
  if (!d) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(d)}`;
}
function duration(ms) {
  if (ms === null || ms === undefined || isNaN(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60000);
  return `${m} min ${Math.round((ms % 60000) / 1000)} s`;
}
/** `v` parsed, if it is a string of JSON; `v` otherwise. */
function tryJson(v) {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch (_) {
    return v;
  }
}
function pretty(v) {
  const parsed = tryJson(v);
  return typeof v === 'string' && parsed === v ? v : JSON.stringify(parsed, null, 2);
}
const clip = (text, n) => (text.length > n ? text.slice(0, n - 1) + '…' : text);
const lastSegment = (arn) => String(arn || '').split(/[:/]/).pop();
const statusClass = (st) => 'status-' + (String(st || '').toLowerCase().replace(/[^\w-]/g, '') || 'unknown');

// ---------------------------------------------------------------------------------------
// Errors: a banner with the service's own error name and message

class AwsError extends Error {
  constructor(name, message, status) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

function showError(e, doing) {
  const box = $('#errors');
  const name = e instanceof AwsError ? e.name : e && e.name ? e.name : 'Error';
  const text = (e && e.message) || String(e);
  const banner = h(
    'div.error',
    { role: 'alert' },
    h('strong', { text: name }),
    doing ? ` while ${doing}: ` : ': ',
    text,
    h('button.dismiss', { title: 'Dismiss', onclick: () => banner.remove(), text: '×' }),
  );
  box.append(banner);
  while (box.children.length > 4) box.firstElementChild.remove();
}

function clearErrors() {
  $('#errors').replaceChildren();
}

async function failure(res) {
  const text = await res.text();
  let body = {};
  try {
    body = JSON.parse(text);
  } catch (_) {
    body = { message: text };
  }
  const raw =
    res.headers.get('x-amzn-errortype') ||
    body.__type ||
    body.code ||
    body.Type ||
    body.error ||
    `HTTP ${res.status}`;
  const name = String(raw).split(':')[0].split('#').pop();
  const message = body.message || body.Message || body.error || text || res.statusText;
  return new AwsError(name, message, res.status);
}

// ---------------------------------------------------------------------------------------
// The AWS APIs, through the console's proxy into the twin's gateway

const JSON_PROTOCOL = {
  states: ['AWSStepFunctions', '1.0'],
  kinesisanalytics: ['KinesisAnalytics_20150814', '1.1'],
  firehose: ['Firehose_20150804', '1.1'],
  kinesis: ['Kinesis_20131202', '1.1'],
  events: ['AWSEvents', '1.1'],
};

/** One call of a JSON-protocol API: aws('states', 'ListStateMachines', {}). */
async function aws(service, operation, body = {}, targetPrefix) {
  const [servicePrefix, version] = JSON_PROTOCOL[service];
  const prefix = targetPrefix || servicePrefix;
  const res = await fetch(`/console/aws/${service}`, {
    method: 'POST',
    headers: {
      'Content-Type': `application/x-amz-json-${version}`,
      'X-Amz-Target': `${prefix}.${operation}`,
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}

/** Every page of a paginated call, concatenating `field`. */
async function all(service, operation, body, field, tokenIn = 'NextToken', tokenOut = tokenIn) {
  let out = [];
  let token;
  for (let i = 0; i < 1000; i++) {
    const page = await aws(service, operation, token ? { ...body, [tokenIn]: token } : body);
    out = out.concat(page[field] || []);
    token = page[tokenOut];
    if (!token) break;
  }
  return out;
}

/** A REST call (Lambda) or a twin endpoint, answering JSON. */
async function rest(path, init) {
  const res = await fetch(path, init);
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}

const lambdaPath = (p) => `/console/aws/lambda/2015-03-31${p}`;

/** The input the console offers for an execution of state machine `arn` (`{}` if none). */
const sampleInput = (arn) =>
  rest('/console/api/sample-input?stateMachineArn=' + encodeURIComponent(arn))
    .then((r) => r.input || {})
    .catch(() => ({}));

// ---------------------------------------------------------------------------------------
// The router: one view at a time; a view's feeds and timers end when it is left

let current = null;

class View {
  constructor() {
    this.alive = true;
    this.cleanups = [];
    this.feeds = [];
  }
  onClose(fn) {
    this.cleanups.push(fn);
  }
  close() {
    this.alive = false;
    for (const fn of this.cleanups) {
      try {
        fn();
      } catch (_) {
        /* the view is gone either way */
      }
    }
  }
  every(ms, fn) {
    const t = setInterval(() => this.alive && fn(), ms);
    this.onClose(() => clearInterval(t));
  }
  /** A server-sent events feed; while the tab is hidden it is closed (see `suspend`). */
  feed(url, handlers) {
    const f = { url, handlers, es: null };
    const open = () => {
      const es = new EventSource(url);
      for (const [event, fn] of Object.entries(handlers)) {
        es.addEventListener(event, (m) => {
          if (!this.alive) return;
          let data = null;
          try {
            data = m.data ? JSON.parse(m.data) : null;
          } catch (_) {
            data = null;
          }
          fn(data);
        });
      }
      // `open` and `error` are EventSource's own events, handled like the feed's.
      f.es = es;
    };
    f.open = open;
    open();
    this.feeds.push(f);
    this.onClose(() => f.es && f.es.close());
    return f;
  }
  /** Closes the feeds' connections (a browser opens six at most to one host, for all tabs). */
  suspend() {
    for (const f of this.feeds) if (f.es) f.es.close();
  }
  /** Opens them again; the view re-reads what it missed (its `lagged` handler). */
  resume() {
    if (!this.alive) return;
    for (const f of this.feeds) {
      f.open();
      if (f.handlers.lagged) f.handlers.lagged({ missed: null, resumed: true });
    }
  }
  /** Runs `fn` at most once per `ms`, and once more after a call that came in meanwhile. */
  throttle(ms, fn) {
    let running = false;
    let again = false;
    const run = async () => {
      if (!this.alive) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        await fn();
      } catch (e) {
        showError(e, 'refreshing');
      }
      setTimeout(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      }, ms);
    };
    return run;
  }
}

const ROUTES = [
  [/^#\/?$/, overview, 'overview'],
  [/^#\/statemachine\/(.+)$/, stateMachinePage, 'overview'],
  [/^#\/execution\/(.+)$/, executionPage, 'overview'],
  [/^#\/application\/(.+)$/, applicationPage, 'overview'],
  [/^#\/streams$/, streamsPage, 'streams'],
  [/^#\/functions$/, functionsPage, 'functions'],
  [/^#\/function\/(.+)$/, functionPage, 'functions'],
  [/^#\/events$/, eventsPage, 'events'],
];

function route() {
  if (current) current.close();
  clearErrors();
  const hash = location.hash || '#/';
  const view = new View();
  current = view;
  const main = $('#view');
  for (const [re, page, nav] of ROUTES) {
    const m = re.exec(hash);
    if (!m) continue;
    for (const a of $$('#nav a')) a.classList.toggle('active', a.dataset.nav === nav);
    main.replaceChildren();
    const arg = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    Promise.resolve(page(main, view, arg)).catch((e) => view.alive && showError(e, 'loading this page'));
    return;
  }
  main.replaceChildren(
    h('h1', { text: 'Not found' }),
    h('p', {}, 'No console page at ', h('code', { text: hash }), '. ', h('a', { href: '#/', text: 'Overview' })),
  );
}

window.addEventListener('hashchange', route);
// A page the browser keeps in its back/forward cache would keep its feeds' connections open,
// and a browser opens only six to one host: end the view when the page is hidden, start it
// again when the page comes back.
window.addEventListener('pagehide', () => current && current.close());
window.addEventListener('pageshow', (e) => e.persisted && route());
document.addEventListener('visibilitychange', () => current && (document.hidden ? current.suspend() : current.resume()));

const link = {
  machine: (arn) => '#/statemachine/' + encodeURIComponent(arn),
  execution: (arn) => '#/execution/' + encodeURIComponent(arn),
  application: (name) => '#/application/' + encodeURIComponent(name),
  fn: (name) => '#/function/' + encodeURIComponent(name),
};

function crumbs(...parts) {
  return h(
    'nav.crumbs',
    {},
    parts.map((p, i) => [i ? h('span.sep', { text: '/' }) : null, typeof p === 'string' ? h('span', { text: p }) : p]),
  );
}

/** Shows `status` in a badge made by `badge`. */
function setBadge(el, status) {
  el.textContent = status;
  for (const c of [...el.classList]) if (c.startsWith('status-')) el.classList.remove(c);
  el.classList.add(statusClass(status));
}

function badge(status, id, kind) {
  return h('span.badge.' + statusClass(status) + (kind ? '.' + kind : ''), { id, text: status || '…' });
}

function table(id, headers, cls) {
  return h(
    'table' + (id ? '#' + id : '') + (cls ? '.' + cls : ''),
    {},
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { text: t })))),
    h('tbody'),
  );
}

/** A click on a `rowSelector` row of `tbody` opens a details row under it, made then by
 *  `build(row)`, or closes the one that is open. */
function expandable(tbody, rowSelector, cols, build) {
  tbody.addEventListener('click', (ev) => {
    const row = ev.target.closest(rowSelector);
    if (!row) return;
    const next = row.nextElementSibling;
    const open = !(next && next.classList.contains('details'));
    if (open) row.after(h('tr.details', {}, h('td', { colspan: cols }, build(row))));
    else next.remove();
    row.classList.toggle('open', open);
  });
}

function emptyRow(tbody, cols, text) {
  tbody.replaceChildren(h('tr.empty', {}, h('td', { colspan: cols, text })));
}

// ---------------------------------------------------------------------------------------
// Overview

async function overview(main, view) {
  const machines = table('machines', ['State machine', 'Type', 'Latest execution', 'Started', 'Created']);
  const apps = table('applications', ['Application', 'Status', 'ARN']);
  const services = h('div.cards', {}, h('p.muted', { text: 'Asking each service what it holds…' }));
  let machineList;
  let appList;
  main.append(
    h('h1', { text: 'Overview' }),
    h(
      'p.lead',
      {},
      'Step Functions state machines and Kinesis Data Analytics SQL applications on this twin. ',
      'Start an execution from a state machine’s page; follow an application’s streams live from its page.',
    ),
    h('section', {}, h('h2', { text: 'Services on this twin' }), services),
    h('section', {}, h('h2', { text: 'State machines' }), machines),
    h('section', {}, h('h2', { text: 'Kinesis Analytics applications' }), apps),
  );

  const loadMachines = async () => {
    const list = await all('states', 'ListStateMachines', { maxResults: 100 }, 'stateMachines', 'nextToken');
    machineList = list;
    const tbody = $('tbody', machines);
    if (!view.alive) return;
    if (!list.length) return emptyRow(tbody, 5, 'No state machines. `kdaflow up` creates the bootstrap.');
    const latest = await Promise.all(
      list.map((m) =>
        aws('states', 'ListExecutions', { stateMachineArn: m.stateMachineArn, maxResults: 1 })
          .then((r) => (r.executions || [])[0])
          .catch(() => undefined),
      ),
    );
    if (!view.alive) return;
    tbody.replaceChildren(
      ...list.map((m, i) => {
        const e = latest[i];
        return h(
          'tr',
          { 'data-arn': m.stateMachineArn },
          h('td', {}, h('a', { href: link.machine(m.stateMachineArn), text: m.name })),
          h('td', { text: m.type }),
          h('td', {}, e ? [badge(e.status), ' ', h('a', { href: link.execution(e.executionArn), text: e.name })] : h('span.muted', { text: 'none yet' })),
          h('td', { text: e ? stamp(e.startDate) : '' }),
          h('td', { text: stamp(m.creationDate) }),
        );
      }),
    );
  };
  const loadApps = async () => {
    const r = await aws('kinesisanalytics', 'ListApplications', { Limit: 50 });
    const tbody = $('tbody', apps);
    if (!view.alive) return;
    const list = r.ApplicationSummaries || [];
    appList = list;
    if (!list.length) return emptyRow(tbody, 3, 'No applications yet: an execution of the bootstrap creates one.');
    tbody.replaceChildren(
      ...list.map((a) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: link.application(a.ApplicationName), text: a.ApplicationName })),
          h('td', {}, badge(a.ApplicationStatus, undefined, 'app')),
          h('td.mono', { text: a.ApplicationARN }),
        ),
      ),
    );
  };
  const loadServices = async () => {
    const none = () => undefined;
    const [v2, fh, ks, fns, rules, buckets] = await Promise.all([
      aws('kinesisanalytics', 'ListApplications', {}, 'KinesisAnalytics_20180523').catch(none),
      aws('firehose', 'ListDeliveryStreams', { Limit: 100 }).catch(none),
      aws('kinesis', 'ListStreams', {}).catch(none),
      rest(lambdaPath('/functions/')).catch(none),
      aws('events', 'ListRules', { Limit: 100 }).catch(none),
      fetch('/console/aws/s3')
        .then((r) => (r.ok ? r.text() : Promise.reject(new Error(r.statusText))))
        .then((x) => [...new DOMParser().parseFromString(x, 'application/xml').getElementsByTagName('Name')].map((n) => n.textContent))
        .catch(none),
    ]);
    if (!view.alive) return;
    const card = (title, holds, names, href) =>
      h(
        'div.card',
        {},
        h('div.card-title', {}, href ? h('a', { href, text: title }) : title),
        h('div.card-count', { text: holds === undefined ? 'not answering' : holds }),
        names && names.length ? h('div.card-names.muted', { text: clip(names.join(', '), 140) }) : null,
      );
    const count = (list, one, many) => (list === undefined ? undefined : `${list.length} ${list.length === 1 ? one : many}`);
    const v2apps = v2 && (v2.ApplicationSummaries || []);
    const firehose = fh && (fh.DeliveryStreamNames || []);
    const kinesis = ks && (ks.StreamNames || []);
    const functions = fns && (fns.Functions || []).map((f) => f.FunctionName);
    const ruleNames = rules && (rules.Rules || []).map((r) => r.Name);
    services.replaceChildren(
      card('Step Functions', count(machineList, 'state machine', 'state machines'), (machineList || []).map((m) => m.name), null),
      card('Kinesis Analytics (SQL)', count(appList, 'application', 'applications'), (appList || []).map((a) => `${a.ApplicationName} (${a.ApplicationStatus})`), null),
      card('Managed Service for Apache Flink', count(v2apps, 'application', 'applications'), (v2apps || []).map((a) => `${a.ApplicationName} (${a.ApplicationStatus})`), null),
      card('Firehose', count(firehose, 'delivery stream', 'delivery streams'), firehose, '#/streams'),
      card('Kinesis Data Streams', count(kinesis, 'stream', 'streams'), kinesis, '#/streams'),
      card('Lambda', count(functions, 'function', 'functions'), functions, '#/functions'),
      card('EventBridge', count(ruleNames, 'rule', 'rules'), ruleNames, '#/events'),
      card('S3', count(buckets, 'bucket', 'buckets'), buckets, null),
    );
  };
  const refresh = view.throttle(1000, () => Promise.all([loadMachines(), loadApps()]).then(loadServices));
  await Promise.all([
    loadMachines().catch((e) => showError(e, 'listing state machines')),
    loadApps().catch((e) => showError(e, 'listing applications')),
  ]);
  await loadServices();
  view.feed('/console/feed/executions', { history: (d) => d && d.eventId === null && refresh(), lagged: refresh });
  view.every(5000, refresh);
}

// ---------------------------------------------------------------------------------------
// The graph of a definition

const layouts = new Map();

async function layout(definition) {
  if (layouts.has(definition)) return layouts.get(definition);
  const res = await fetch('/console/api/layout', { method: 'POST', body: definition });
  if (!res.ok) throw await failure(res);
  const l = await res.json();
  layouts.set(definition, l);
  return l;
}

const CONTAINERS = new Set(['Parallel', 'Map']);

/** Draws a laid-out definition into `box`; `onPick(state)` on a click on a state. */
function drawGraph(box, l, onPick) {
  const svg = s('svg', {
    class: 'graph',
    viewBox: `0 0 ${l.width} ${l.height}`,
    width: l.width,
    height: l.height,
    role: 'img',
    'aria-label': 'The state machine as a graph',
  });
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }),
      ),
    ),
  );
  const nodeGroup = (n) => {
    const pseudo = n.type === 'Start' || n.type === 'End';
    const g = s('g', { class: pseudo ? 'pseudo' : 'state st-notreached', 'data-state': pseudo ? undefined : n.id, 'data-type': n.type });
    if (pseudo) g.dataset.pseudo = n.id;
    const tip = [n.type === 'Start' || n.type === 'End' ? n.label : `${n.id} (${n.type})`];
    for (const r of n.retry) tip.push('Retry: ' + r);
    for (const c of n.catch) tip.push('Catch: ' + c);
    g.append(s('title', { text: tip.join('\n') }));
    const container = CONTAINERS.has(n.type);
    g.append(
      s('rect', {
        x: n.x,
        y: n.y,
        width: n.w,
        height: n.h,
        rx: pseudo ? n.h / 2 : 6,
        class: container ? 'box container' : 'box',
      }),
    );
    if (container) {
      g.append(s('text', { x: n.x + 10, y: n.y + 20, class: 'label', text: n.label }));
      g.append(s('text', { x: n.x + n.w - 10, y: n.y + 20, class: 'type', 'text-anchor': 'end', text: n.type }));
    } else if (pseudo) {
      g.append(s('text', { x: n.x + n.w / 2, y: n.y + n.h / 2 + 4, class: 'label', 'text-anchor': 'middle', text: n.label }));
    } else {
      g.append(s('text', { x: n.x + n.w / 2, y: n.y + n.h / 2 - 2, class: 'label', 'text-anchor': 'middle', text: n.label }));
      g.append(s('text', { x: n.x + n.w / 2, y: n.y + n.h / 2 + 13, class: 'type', 'text-anchor': 'middle', text: n.type }));
    }
    if (n.retry.length || n.catch.length) {
      const marks = (n.retry.length ? '↻' : '') + (n.catch.length ? '⤷' : '');
      g.append(s('text', { x: n.x + n.w - 6, y: n.y + 13, class: 'marks', 'text-anchor': 'end', text: marks }));
    }
    if (!pseudo && onPick) g.addEventListener('click', () => onPick(n.id));
    return g;
  };
  // Parallel and Map boxes first, their branches on them, then transitions, then states.
  for (const n of l.nodes) if (CONTAINERS.has(n.type)) svg.append(nodeGroup(n));
  for (const g of l.groups) {
    svg.append(
      s(
        'g',
        { class: 'branch', 'data-group': g.id },
        s('rect', { x: g.x, y: g.y, width: g.w, height: g.h, rx: 6 }),
        s('text', { x: g.x + 8, y: g.y + 15, text: g.label }),
      ),
    );
  }
  for (const e of l.edges) {
    const attrs = { d: e.d, class: `edge ${e.kind}` };
    attrs[e.head === 'start' ? 'marker-start' : 'marker-end'] = 'url(#arrow)';
    const g = s('g', { class: 'transition', 'data-from': e.from, 'data-to': e.to }, s('path', attrs));
    if (e.label && e.kind !== 'next') {
      const p = e.points[Math.floor(e.points.length / 2)] || e.points[0];
      if (p) g.append(s('text', { x: p[0] + 4, y: p[1] - 4, class: 'edge-label', text: clip(e.label, 36) }, s('title', { text: e.label })));
    }
    svg.append(g);
  }
  for (const n of l.nodes) if (!CONTAINERS.has(n.type)) svg.append(nodeGroup(n));
  // Zoom: fit the box's width, but never so small that the names cannot be read.
  let scale = 1;
  const zoom = (z) => {
    scale = Math.min(2, Math.max(0.2, z));
    svg.setAttribute('width', (l.width * scale).toFixed(0));
    svg.setAttribute('height', (l.height * scale).toFixed(0));
    pct.textContent = `${Math.round(scale * 100)}%`;
  };
  const fit = () => Math.min(1, (box.clientWidth - 24) / l.width);
  const pct = h('span.pct');
  const tools = h(
    'div.zoom',
    {},
    h('button', { type: 'button', title: 'Zoom out', text: '−', onclick: () => zoom(scale / 1.25) }),
    pct,
    h('button', { type: 'button', title: 'Zoom in', text: '+', onclick: () => zoom(scale * 1.25) }),
    h('button', { type: 'button', title: 'Fit the whole graph', text: 'Fit', onclick: () => zoom(fit()) }),
  );
  box.replaceChildren(tools, svg);
  zoom(Math.max(fit(), 0.6));
  const start = l.nodes.find((n) => n.type === 'Start');
  if (start) box.scrollLeft = Math.max(0, (start.x + start.w / 2) * scale - box.clientWidth / 2);
  return svg;
}

/** Colours each state: `status` maps a state's name to succeeded|failed|caught|running. */
function colour(box, status) {
  for (const g of $$('g.state', box)) {
    const st = status.get(g.dataset.state) || 'notreached';
    g.setAttribute('class', `state st-${st}`);
  }
}

function legend() {
  return h(
    'div.legend',
    {},
    [
      ['succeeded', 'Succeeded'],
      ['failed', 'Failed'],
      ['caught', 'Caught error'],
      ['running', 'In progress'],
      ['notreached', 'Not reached'],
    ].map(([k, t]) => h('span.key.st-' + k, {}, h('i'), t)),
  );
}

// ---------------------------------------------------------------------------------------
// A state machine: graph, definition, start form, executions

const MAX_INPUT = 262144;

async function stateMachinePage(main, view, arn) {
  const graph = h('div#graph.graph-box', {}, h('p.muted', { text: 'Laying out the graph…' }));
  const stateInfo = h('div#state-info.state-info', {}, h('span.muted', { text: 'Click a state for its definition, Retry and Catch.' }));
  const definition = h('pre#definition.code');
  const input = h('textarea#input', { rows: 14, spellcheck: 'false', 'aria-label': 'Execution input (JSON)' });
  const inputError = h('div#input-error.field-error', { 'aria-live': 'polite' });
  const form = h('form#arn-form.arn-form', { onsubmit: (ev) => ev.preventDefault() });
  const name = h('input#exec-name', { placeholder: 'generated when empty', maxlength: 80, 'aria-label': 'Execution name' });
  const start = h('button#start.primary', { type: 'button', text: 'Start execution' });
  const filter = h(
    'select#status-filter',
    { 'aria-label': 'Show executions with this status' },
    ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'].map((v) => h('option', { value: v, text: v || 'All statuses' })),
  );
  const executions = table('executions', ['Name', 'Status', 'Started', 'Stopped', 'Duration']);
  const title = h('h1', { text: lastSegment(arn) });
  const info = h('p.muted.mono', { text: arn });
  main.append(
    crumbs(h('a', { href: '#/', text: 'Overview' }), 'State machine'),
    title,
    info,
    h('section', {}, h('h2', { text: 'Graph' }), legend(), graph, stateInfo),
    h(
      'div.pair',
      {},
      h(
        'section',
        {},
        h('h2', { text: 'Start an execution' }),
        form,
        h('label', { for: 'input', text: 'Input' }),
        input,
        inputError,
        h('div.row', {}, h('label', { for: 'exec-name', text: 'Name' }), name, start),
      ),
      h('section', {}, h('div.row', {}, h('h2', { text: 'Executions' }), filter), executions),
    ),
    h('details.definition', {}, h('summary', { text: 'Definition' }), definition),
  );

  // Input: the textarea is the truth; the form edits its top-level string fields.
  const fieldInput = (key) => form.querySelector(`input[name="${CSS.escape(key)}"]`);
  const validate = () => {
    let problem = '';
    let value;
    try {
      value = JSON.parse(input.value);
    } catch (e) {
      problem = `The input is not valid JSON: ${e.message}`;
    }
    if (!problem && new TextEncoder().encode(input.value).length > MAX_INPUT) {
      problem = `The input is larger than Step Functions accepts (${MAX_INPUT} bytes).`;
    }
    inputError.textContent = problem;
    start.disabled = !!problem;
    input.classList.toggle('invalid', !!problem);
    return problem ? undefined : value;
  };
  const buildForm = (value) => {
    form.replaceChildren();
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'string') continue;
      const field = h('input', {
        name: k,
        id: 'field-' + k,
        value: v,
        spellcheck: 'false',
        oninput: () => {
          const current = validate();
          if (!current || typeof current !== 'object') return;
          current[k] = field.value;
          input.value = JSON.stringify(current, null, 2);
          validate();
        },
      });
      form.append(h('label', { for: 'field-' + k, text: k }), field);
    }
  };
  input.addEventListener('input', () => {
    const value = validate();
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const f = fieldInput(k);
        if (f && typeof v === 'string' && f.value !== v) f.value = v;
      }
    }
  });
  start.addEventListener('click', async () => {
    if (!validate()) return;
    start.disabled = true;
    try {
      const body = { stateMachineArn: arn, input: input.value };
      if (name.value.trim()) body.name = name.value.trim();
      const r = await aws('states', 'StartExecution', body);
      location.hash = link.execution(r.executionArn);
    } catch (e) {
      showError(e, 'starting the execution');
      start.disabled = false;
    }
  });

  const loadExecutions = async () => {
    const body = { stateMachineArn: arn, maxResults: 100 };
    if (filter.value) body.statusFilter = filter.value;
    const r = await aws('states', 'ListExecutions', body);
    if (!view.alive) return;
    const tbody = $('tbody', executions);
    const list = r.executions || [];
    if (!list.length) return emptyRow(tbody, 5, filter.value ? `No ${filter.value} executions.` : 'No executions yet.');
    tbody.replaceChildren(
      ...list.map((e) => {
        const started = toDate(e.startDate);
        const stopped = toDate(e.stopDate);
        return h(
          'tr',
          { 'data-arn': e.executionArn },
          h('td', {}, h('a', { href: link.execution(e.executionArn), text: e.name })),
          h('td.status', { text: e.status, class: 'status ' + statusClass(e.status) }),
          h('td', { text: stamp(e.startDate) }),
          h('td', { text: stamp(e.stopDate) }),
          h('td', { text: started && stopped ? duration(stopped - started) : '' }),
        );
      }),
    );
  };
  const refresh = view.throttle(500, loadExecutions);
  filter.addEventListener('change', refresh);

  const [machine, sample] = await Promise.all([
    aws('states', 'DescribeStateMachine', { stateMachineArn: arn }),
    sampleInput(arn),
  ]);
  if (!view.alive) return;
  title.textContent = machine.name;
  info.textContent = `${machine.type} · ${arn} · role ${machine.roleArn}`;
  definition.textContent = pretty(machine.definition);
  input.value = JSON.stringify(sample, null, 2);
  buildForm(sample);
  validate();
  await Promise.all([
    layout(machine.definition)
      .then((l) => {
        if (!view.alive) return;
        const parsed = JSON.parse(machine.definition);
        drawGraph(graph, l, (state) => {
          const n = l.nodes.find((x) => x.id === state) || { retry: [], catch: [] };
          for (const g of $$('g.state', graph)) g.classList.toggle('picked', g.dataset.state === state);
          stateInfo.replaceChildren(
            h('div.row', {}, h('strong', { text: state }), h('span.tag', { text: n.type })),
            n.retry.length ? h('div', {}, h('b', { text: 'Retry ' }), n.retry.map((r) => h('div.mono', { text: r }))) : null,
            n.catch.length ? h('div', {}, h('b', { text: 'Catch ' }), n.catch.map((c) => h('div.mono', { text: c }))) : null,
            h('pre.code.small', { text: JSON.stringify(findState(parsed, state), null, 2) }),
          );
        });
      })
      .catch((e) => {
        graph.replaceChildren(h('p.muted', { text: 'The graph could not be drawn.' }));
        showError(e, 'laying out the graph');
      }),
    loadExecutions().catch((e) => showError(e, 'listing executions')),
  ]);
  view.feed('/console/feed/executions', { history: (d) => d && d.executionArn.includes(`:${machine.name}:`) && refresh(), lagged: refresh });
}

// ---------------------------------------------------------------------------------------
// An execution: status, graph coloured by its history, the history, each state's data

const FAILURE = /^(Task|LambdaFunction|Activity)(Failed|TimedOut|StartFailed|ScheduleFailed|SubmitFailed)$|^(Map|Parallel)StateFailed$|^MapRunFailed$/;
const RETRYING = /^(Task|LambdaFunction|Activity)Scheduled$/;

function detailsOf(e) {
  for (const [k, v] of Object.entries(e)) if (k.endsWith('EventDetails')) return v;
  return null;
}

/** What an execution's history says, event by event (for the table) and per state. */
class Reading {
  constructor() {
    this.events = [];
    this.byId = new Map();
    this.stateOf = new Map();
    this.status = new Map();
    this.io = new Map();
    this.order = [];
    this.open = [];
  }
  add(events) {
    for (const e of events) {
      if (this.byId.has(e.id)) continue;
      this.events.push(e);
      this.byId.set(e.id, e);
      const d = detailsOf(e) || {};
      const t = e.type;
      let state = null;
      if (t.endsWith('StateEntered') || t.endsWith('StateExited')) state = d.name;
      else if (e.previousEventId && this.stateOf.has(e.previousEventId)) state = this.stateOf.get(e.previousEventId);
      else if (this.open.length) state = this.open[this.open.length - 1];
      if (t === 'ExecutionStarted') state = null;
      this.stateOf.set(e.id, state);
      if (t.endsWith('StateEntered')) {
        const from = e.previousEventId ? this.stateOf.get(e.previousEventId) : null;
        if (from && this.status.get(from) === 'failed') this.status.set(from, 'caught');
        this.status.set(d.name, t === 'FailStateEntered' ? 'failed' : 'running');
        if (!this.io.has(d.name)) this.order.push(d.name);
        this.io.set(d.name, { input: d.input, output: undefined });
        this.open.push(d.name);
      } else if (t.endsWith('StateExited')) {
        this.status.set(d.name, this.status.get(d.name) === 'failed' ? 'caught' : 'succeeded');
        const io = this.io.get(d.name) || {};
        io.output = d.output;
        this.io.set(d.name, io);
        const i = this.open.lastIndexOf(d.name);
        if (i >= 0) this.open.splice(i, 1);
      } else if (state && FAILURE.test(t)) {
        this.status.set(state, 'failed');
      } else if (state && RETRYING.test(t) && this.status.get(state) === 'failed') {
        this.status.set(state, 'running');
      } else if (/^Execution(Failed|Aborted|TimedOut)$/.test(t)) {
        if (state && this.status.get(state) !== 'succeeded') this.status.set(state, 'failed');
        for (const [k, v] of this.status) if (v === 'running') this.status.set(k, 'failed');
      }
    }
  }
  get last() {
    return this.events.length ? this.events[this.events.length - 1].id : 0;
  }
}

function historyRows(reading, events) {
  const t0 = reading.events.length ? toDate(reading.events[0].timestamp) : null;
  return events
    .map((e) => {
      const at = toDate(e.timestamp);
      const kind = FAILURE.test(e.type) || /Failed|TimedOut|Aborted/.test(e.type) ? ' bad' : '';
      return (
        `<tr class="event${kind}" data-id="${e.id}"><td>${e.id}</td><td>${esc(e.type)}</td>` +
        `<td>${e.type.startsWith('Execution') ? '' : esc(reading.stateOf.get(e.id) || '')}</td><td>${esc(clock(at))}</td>` +
        `<td>${t0 && at ? esc(duration(at - t0)) : ''}</td></tr>`
      );
    })
    .join('');
}

async function executionPage(main, view, arn) {
  const status = badge('…', 'exec-status');
  const stop = h('button#stop', { type: 'button', text: 'Stop execution', disabled: true });
  const facts = h('dl.facts');
  const problem = h('div.problem', { hidden: true }, h('div', {}, h('strong', { text: 'Error ' }), h('code#exec-error')), h('pre#exec-cause'));
  const graph = h('div#graph.graph-box', {}, h('p.muted', { text: 'Laying out the graph…' }));
  const history = table('history', ['ID', 'Type', 'State', 'Time', 'Elapsed']);
  const count = h('span.muted', { text: '' });
  const pick = h('select#state-select', { 'aria-label': 'State' });
  const stateInput = h('pre#state-input.code');
  const stateOutput = h('pre#state-output.code');
  const machineLink = h('a', { text: 'State machine' });
  main.append(
    crumbs(h('a', { href: '#/', text: 'Overview' }), machineLink, 'Execution'),
    h('div.row', {}, h('h1', { text: lastSegment(arn) }), status, stop),
    h('p.muted.mono', { text: arn }),
    facts,
    problem,
    h(
      'div.split',
      {},
      h('section.wide', {}, h('h2', { text: 'Graph' }), legend(), graph),
      h(
        'section.side',
        {},
        h('h2', { text: 'State input and output' }),
        pick,
        h('h3', { text: 'Input' }),
        stateInput,
        h('h3', { text: 'Output' }),
        stateOutput,
      ),
    ),
    h('section', {}, h('div.row', {}, h('h2', { text: 'Events' }), count), history),
  );

  const reading = new Reading();
  let described = null;
  let selected = null;

  const showState = (name) => {
    selected = name;
    if (pick.value !== name) pick.value = name;
    const io = reading.io.get(name) || {};
    stateInput.textContent = io.input === undefined ? '(not entered)' : pretty(io.input);
    stateOutput.textContent = io.output === undefined ? (reading.status.get(name) === 'running' ? '(in progress)' : '(no output)') : pretty(io.output);
    for (const g of $$('g.state', graph)) g.classList.toggle('picked', g.dataset.state === name);
  };
  let userPicked = false;
  const choose = (name) => {
    userPicked = true;
    showState(name);
  };
  pick.addEventListener('change', () => choose(pick.value));

  const tbody = $('tbody', history);
  expandable(tbody, 'tr.event', 5, (row) => {
    const d = detailsOf(reading.byId.get(Number(row.dataset.id)));
    const shown = {};
    for (const [k, v] of Object.entries(d || {})) shown[k] = typeof v === 'string' && /^[[{]/.test(v) ? tryJson(v) : v;
    return h('pre.code', { text: d ? JSON.stringify(shown, null, 2) : 'This event has no details.' });
  });

  const render = (fresh) => {
    if (fresh.length) tbody.insertAdjacentHTML('beforeend', historyRows(reading, fresh));
    count.textContent = `${reading.events.length} events`;
    colour(graph, reading.status);
    const names = reading.order;
    if (pick.options.length !== names.length) {
      pick.replaceChildren(...names.map((n) => h('option', { value: n, text: n })));
    }
    const want = userPicked && names.includes(selected) ? selected : names[names.length - 1];
    if (want) showState(want);
  };

  const describe = async () => {
    const d = await aws('states', 'DescribeExecution', { executionArn: arn });
    if (!view.alive) return;
    described = d;
    setBadge(status, d.status);
    stop.disabled = d.status !== 'RUNNING';
    machineLink.href = link.machine(d.stateMachineArn);
    machineLink.textContent = lastSegment(d.stateMachineArn);
    const started = toDate(d.startDate);
    const stopped = toDate(d.stopDate);
    facts.replaceChildren(
      h('dt', { text: 'Started' }),
      h('dd', { text: stamp(d.startDate) }),
      h('dt', { text: 'Stopped' }),
      h('dd', { text: stamp(d.stopDate) || '—' }),
      h('dt', { text: 'Duration' }),
      h('dd', { text: started ? duration((stopped || new Date()) - started) : '' }),
      h('dt', { text: 'Input' }),
      h('dd', {}, h('code', { text: clip(d.input || '', 160) })),
      h('dt', { text: 'Output' }),
      h('dd', {}, h('code', { text: d.output ? clip(d.output, 160) : '—' })),
    );
    problem.hidden = !(d.error || d.cause);
    $('#exec-error').textContent = d.error || '';
    // The cause exactly as DescribeExecution gives it (often JSON from the task).
    $('#exec-cause').textContent = d.cause || '';
  };

  // The whole history once; afterwards only what is new, read newest first.
  // The first page is shown at once; the rest in a few large batches (each insertion into a
  // long table costs a layout of all of it).
  let loaded = false;
  const readAll = async () => {
    let token;
    let pending = [];
    for (let first = true; ; first = false) {
      const page = await aws('states', 'GetExecutionHistory', { executionArn: arn, maxResults: 1000, ...(token ? { nextToken: token } : {}) });
      if (!view.alive) return;
      pending = pending.concat(page.events || []);
      token = page.nextToken;
      if (first || !token || pending.length >= 5000) {
        const before = reading.events.length;
        reading.add(pending);
        pending = [];
        render(reading.events.slice(before));
      }
      if (!token) break;
    }
    loaded = true;
  };
  const readNew = async () => {
    // Until the whole history is read, newer events come with it.
    if (!loaded) return;
    const fresh = [];
    let token;
    outer: for (;;) {
      const page = await aws('states', 'GetExecutionHistory', { executionArn: arn, maxResults: 100, reverseOrder: true, ...(token ? { nextToken: token } : {}) });
      for (const e of page.events || []) {
        if (e.id <= reading.last) break outer;
        fresh.push(e);
      }
      token = page.nextToken;
      if (!token) break;
    }
    if (!view.alive) return;
    fresh.reverse();
    const before = reading.events.length;
    reading.add(fresh);
    render(reading.events.slice(before));
  };
  const refresh = view.throttle(150, async () => {
    await readNew();
    await describe();
  });

  stop.addEventListener('click', async () => {
    stop.disabled = true;
    try {
      await aws('states', 'StopExecution', { executionArn: arn, error: 'kdaflow.Console', cause: 'Stopped from the kdaflow console' });
      refresh();
    } catch (e) {
      showError(e, 'stopping the execution');
      stop.disabled = false;
    }
  });

  // Follow changes from the moment the page opens, so nothing between reads is missed.
  view.feed('/console/feed/executions', { history: (d) => d && d.executionArn === arn && refresh(), lagged: refresh });
  const reads = readAll();
  await describe();
  const machine = await aws('states', 'DescribeStateMachineForExecution', { executionArn: arn }).catch(() =>
    aws('states', 'DescribeStateMachine', { stateMachineArn: described.stateMachineArn }),
  );
  const drawn = layout(machine.definition)
    .then((l) => {
      if (!view.alive) return;
      drawGraph(graph, l, choose);
      colour(graph, reading.status);
      if (selected) showState(selected);
    })
    .catch((e) => {
      graph.replaceChildren(h('p.muted', { text: 'The graph could not be drawn.' }));
      showError(e, 'laying out the graph');
    });
  await reads;
  await drawn;
  // What happened while the history was being read.
  await readNew();
  await describe();
  const failed = $('#graph g.state.st-failed');
  if (failed) centerOn(graph, failed);
  // A safety net for a running execution, should the feed drop.
  view.every(3000, () => described && described.status === 'RUNNING' && refresh());
}

/** A state's definition, wherever it is nested (Parallel branches, Map iterators). */
function findState(def, name) {
  const states = (def && def.States) || {};
  if (states[name]) return states[name];
  for (const st of Object.values(states)) {
    for (const sub of [...(st.Branches || []), st.Iterator, st.ItemProcessor]) {
      const found = sub && findState(sub, name);
      if (found) return found;
    }
  }
  return null;
}

/** Scrolls the graph so that the state drawn by `g` is in the middle of its box. */
function centerOn(box, g) {
  const svg = $('svg', box);
  const r = $('rect', g);
  if (!svg || !r) return;
  const k = svg.width.baseVal.value / svg.viewBox.baseVal.width;
  box.scrollLeft = (r.x.baseVal.value + r.width.baseVal.value / 2) * k - box.clientWidth / 2;
  box.scrollTop = (r.y.baseVal.value + r.height.baseVal.value / 2) * k - box.clientHeight / 2;
}

// ---------------------------------------------------------------------------------------
// A Kinesis Analytics application: status, SQL, its in-application streams live

const LIVE_ROWS = 50;
const CHART_POINTS = 240;
const SQL_KEYWORDS =
  /\b(CREATE|OR|REPLACE|STREAM|PUMP|AS|INSERT|INTO|SELECT|FROM|WHERE|GROUP|BY|ORDER|HAVING|WINDOW|PARTITION|OVER|RANGE|ROWS|INTERVAL|SECOND|MINUTE|HOUR|DAY|PRECEDING|CAST|TABLE|CURSOR|JOIN|LEFT|RIGHT|INNER|OUTER|ON|AND|NOT|NULL|CASE|WHEN|THEN|ELSE|END|STEP|FLOOR|DOUBLE|BIGINT|INTEGER|VARCHAR|TIMESTAMP|REAL|DECIMAL|BOOLEAN|DISTINCT|UNION|ALL|LIMIT)\b/g;

function sqlLine(text) {
  // Strings and quoted identifiers first, keywords in the rest.
  const parts = text.split(/('(?:[^']|'')*'|"[^"]*"|--.*$)/);
  return parts
    .map((p, i) => {
      if (i % 2 === 1) {
        const cls = p.startsWith("'") ? 'str' : p.startsWith('"') ? 'ident' : 'comment';
        return `<span class="${cls}">${esc(p)}</span>`;
      }
      return esc(p).replace(SQL_KEYWORDS, '<span class="kw">$1</span>');
    })
    .join('');
}

async function applicationPage(main, view, name) {
  const status = badge('…', 'app-status', 'app');
  const version = h('span#app-version.muted');
  const startAt = h(
    'select#app-position',
    { 'aria-label': 'Starting position' },
    ['NOW', 'TRIM_HORIZON', 'LAST_STOPPED_POINT'].map((v) => h('option', { value: v, text: v })),
  );
  const startBtn = h('button#app-start.primary', { type: 'button', text: 'Start', disabled: true });
  const stopBtn = h('button#app-stop', { type: 'button', text: 'Stop', disabled: true });
  const facts = h('dl.facts');
  const sql = h('pre#sql.code.sql');
  const streams = h('div.streams', {}, h('p.muted', { text: 'Waiting for the application…' }));
  const feedState = h('span.feed.muted', { text: 'connecting…' });
  main.append(
    crumbs(h('a', { href: '#/', text: 'Overview' }), 'Application'),
    h('div.row', {}, h('h1', { text: name }), status, version, h('span.grow'), startAt, startBtn, stopBtn),
    facts,
    h('div.split', {}, h('section.wide', {}, h('div.row', {}, h('h2', { text: 'In-application streams' }), feedState), streams), h('section.side', {}, h('h2', { text: 'Application code' }), sql)),
  );

  let detail = null;
  const thresholds = new Map();
  const sections = new Map();
  let inputStreams = new Set();

  const describe = async () => {
    const r = await aws('kinesisanalytics', 'DescribeApplication', { ApplicationName: name });
    if (!view.alive) return;
    const d = r.ApplicationDetail;
    const first = detail === null;
    detail = d;
    setBadge(status, d.ApplicationStatus);
    version.textContent = `version ${d.ApplicationVersionId}`;
    startBtn.disabled = d.ApplicationStatus !== 'READY';
    stopBtn.disabled = d.ApplicationStatus !== 'RUNNING';
    const inputs = d.InputDescriptions || [];
    const outputs = d.OutputDescriptions || [];
    inputStreams = new Set(inputs.flatMap((i) => i.InAppStreamNames || []));
    const source = (i) => (i.KinesisFirehoseInputDescription || i.KinesisStreamsInputDescription || {}).ResourceARN;
    const dest = (o) => (o.LambdaOutputDescription || o.KinesisStreamsOutputDescription || o.KinesisFirehoseOutputDescription || {}).ResourceARN;
    facts.replaceChildren(
      h('dt', { text: 'ARN' }),
      h('dd.mono', { text: d.ApplicationARN }),
      h('dt', { text: 'Inputs' }),
      h('dd', {}, inputs.map((i) => h('div', {}, h('code', { text: (i.InAppStreamNames || [i.NamePrefix]).join(', ') }), ' ← ', h('span.mono', { text: source(i) || '' })))),
      h('dt', { text: 'Outputs' }),
      h('dd', {}, outputs.map((o) => h('div', {}, h('code', { text: o.Name }), ' → ', h('span.mono', { text: dest(o) || '' })))),
      h('dt', { text: 'Reference data' }),
      h('dd', { text: (d.ReferenceDataSourceDescriptions || []).map((x) => x.TableName).join(', ') || '—' }),
    );
    if (first) {
      const code = d.ApplicationCode || '';
      sql.innerHTML = code
        .replace(/\s+$/, '')
        .split('\n')
        .map((l) => `<span class="line">${sqlLine(l) || ' '}</span>`)
        .join('');
      // The streams the code creates first (their charts are what the application computes),
      // then its input streams; error_stream and any other appear when rows do.
      const named = [];
      for (const m of code.matchAll(/CREATE\s+(?:OR\s+REPLACE\s+)?STREAM\s+"?([\w$]+)"?/gi)) named.push(m[1]);
      for (const n of [...named, ...inputStreams, 'error_stream']) section(n);
      // A Lambda destination that is a kdaflow stand-in with a threshold (the SNS one): draw it.
      await Promise.all(
        outputs
          .filter((o) => o.LambdaOutputDescription)
          .map((o) =>
            rest('/_kdaflow/standins/' + encodeURIComponent(lastSegment(o.LambdaOutputDescription.ResourceARN)))
              .then((v) => typeof v.threshold === 'number' && thresholds.set(o.Name, v.threshold))
              .catch(() => undefined),
          ),
      );
    }
  };

  const section = (stream) => {
    if (sections.has(stream)) return sections.get(stream);
    if (sections.size === 0) streams.replaceChildren();
    const countEl = h('span.count', { 'data-stream': stream, text: '0 rows' });
    const waiting = h('p.waiting.muted', { text: 'No rows since this page opened: rows appear as the application produces them.' });
    const tableEl = h('table.live', { 'data-stream': stream }, h('thead'), h('tbody'));
    const charts = h('div.charts');
    const el = h(
      'section.stream',
      { 'data-stream': stream },
      h('div.row', {}, h('h3', { text: stream }), inputStreams.has(stream) ? h('span.tag', { text: 'input' }) : stream === 'error_stream' ? h('span.tag.bad', { text: 'errors' }) : null, countEl),
      waiting,
      charts,
      h('div.scroll', {}, tableEl),
    );
    streams.append(el);
    const sec = { el, waiting, countEl, tableEl, chartsEl: charts, charts: new Map(), columns: null, rows: [], count: 0, dirty: false };
    sections.set(stream, sec);
    return sec;
  };

  const chartFor = (sec, stream, column) => {
    if (sec.charts.has(column)) return sec.charts.get(column);
    const svg = s('svg', { class: 'chart', 'data-stream': stream, 'data-column': column, viewBox: '0 0 720 140' });
    const box = h('figure.chart-box', {}, h('figcaption', { text: column }), svg);
    sec.chartsEl.append(box);
    const c = { svg, stream, points: [] };
    sec.charts.set(column, c);
    return c;
  };

  const drawChart = (c) => {
    const W = 720;
    const H = 140;
    const L = 48;
    const R = 8;
    const T = 10;
    const B = 22;
    const pts = c.points;
    const threshold = thresholds.get(c.stream);
    let lo = Math.min(...pts.map((p) => p[1]));
    let hi = Math.max(...pts.map((p) => p[1]));
    if (threshold !== undefined) {
      lo = Math.min(lo, threshold);
      hi = Math.max(hi, threshold);
    }
    if (!isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    if (hi === lo) {
      hi += 1;
      lo -= 1;
    }
    const span = hi - lo;
    lo -= span * 0.05;
    hi += span * 0.05;
    const t0 = pts.length ? pts[0][0] : 0;
    const t1 = pts.length ? pts[pts.length - 1][0] : 1;
    const x = (t) => L + ((t - t0) / Math.max(1, t1 - t0)) * (W - L - R);
    const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    const parts = [
      s('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }),
      s('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }),
      s('text', { x: L - 4, y: T + 8, 'text-anchor': 'end', class: 'tick', text: fmtNum(hi) }),
      s('text', { x: L - 4, y: H - B, 'text-anchor': 'end', class: 'tick', text: fmtNum(lo) }),
      s('text', { x: L, y: H - 6, class: 'tick', text: pts.length ? clock(new Date(t0)) : '' }),
      s('text', { x: W - R, y: H - 6, 'text-anchor': 'end', class: 'tick', text: pts.length ? clock(new Date(t1)) : '' }),
    ];
    if (threshold !== undefined) {
      parts.push(
        s('line', { x1: L, x2: W - R, y1: y(threshold), y2: y(threshold), class: 'threshold' }),
        s('text', { x: W - R - 2, y: y(threshold) - 4, 'text-anchor': 'end', class: 'threshold-label', text: `notification threshold ${threshold}` }),
      );
    }
    parts.push(s('path', { d, class: 'series' }));
    for (const p of pts) if (threshold !== undefined && p[1] > threshold) parts.push(s('circle', { cx: x(p[0]), cy: y(p[1]), r: 3, class: 'above' }));
    c.svg.replaceChildren(...parts);
  };

  let frame = 0;
  const paint = () => {
    frame = 0;
    for (const [stream, sec] of sections) {
      if (!sec.dirty) continue;
      sec.dirty = false;
      sec.countEl.textContent = `${sec.count} row${sec.count === 1 ? '' : 's'}`;
      sec.waiting.hidden = sec.count > 0;
      if (sec.columns) {
        const thead = $('thead', sec.tableEl);
        if (!thead.firstChild) thead.append(h('tr', {}, sec.columns.map((c) => h('th', { text: c }))));
        const rows = sec.rows.slice(-LIVE_ROWS).reverse();
        $('tbody', sec.tableEl).innerHTML = rows
          .map((r) => '<tr>' + r.map((v, i) => `<td>${esc(i === 0 ? clock(new Date(v)) : v === null ? 'NULL' : typeof v === 'number' ? fmtNum(v) : clip(String(v), 80))}</td>`).join('') + '</tr>')
          .join('');
      }
      for (const c of sec.charts.values()) drawChart(c);
    }
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(paint);
  };
  view.onClose(() => frame && cancelAnimationFrame(frame));

  const onRows = (m) => {
    if (!m || !m.rows) return;
    const sec = section(m.stream);
    sec.columns = sec.columns || m.columns;
    sec.rows.push(...m.rows);
    if (sec.rows.length > 4 * LIVE_ROWS) sec.rows.splice(0, sec.rows.length - LIVE_ROWS);
    sec.count += m.rows.length;
    sec.dirty = true;
    if (!inputStreams.has(m.stream) && m.stream !== 'error_stream') {
      m.columns.forEach((col, i) => {
        if (i === 0) return;
        const numeric = m.rows.filter((r) => typeof r[i] === 'number');
        if (!numeric.length) return;
        const c = chartFor(sec, m.stream, col);
        for (const r of numeric) c.points.push([r[0], r[i]]);
        if (c.points.length > CHART_POINTS) c.points.splice(0, c.points.length - CHART_POINTS);
      });
    }
    schedule();
  };

  view.feed('/console/feed/applications/' + encodeURIComponent(name), {
    rows: onRows,
    lagged: (d) => {
      feedState.textContent =
        d && d.resumed ? 'live (rows made while the tab was hidden are not shown)' : `live (missed ${d ? d.missed : 'some'} updates while busy)`;
    },
    open: () => {
      if (!/^live/.test(feedState.textContent)) feedState.textContent = 'live';
    },
    error: () => {
      feedState.textContent = 'reconnecting…';
    },
  });

  const control = async (op, body, doing) => {
    startBtn.disabled = stopBtn.disabled = true;
    try {
      await aws('kinesisanalytics', op, body);
    } catch (e) {
      showError(e, doing);
    }
    await describe().catch((e) => showError(e, 'describing the application'));
  };
  startBtn.addEventListener('click', () =>
    control(
      'StartApplication',
      {
        ApplicationName: name,
        InputConfigurations: (detail.InputDescriptions || []).map((i) => ({ Id: i.InputId, InputStartingPositionConfiguration: { InputStartingPosition: startAt.value } })),
      },
      'starting the application',
    ),
  );
  stopBtn.addEventListener('click', () => control('StopApplication', { ApplicationName: name }, 'stopping the application'));

  await describe();
  let quiet = 0;
  view.every(1000, () => {
    const busy = detail && /ING$/.test(detail.ApplicationStatus) && detail.ApplicationStatus !== 'RUNNING';
    if (busy || ++quiet % 5 === 0) describe().catch((e) => showError(e, 'describing the application'));
  });
}

function fmtNum(v) {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toPrecision(4) : v.toFixed(3);
}

// ---------------------------------------------------------------------------------------
// Streams: Firehose delivery streams and Kinesis streams with their latest records

function decodeData(b64) {
  try {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch (_) {
    return b64;
  }
}

async function kinesisLatest(stream) {
  const shards = await all('kinesis', 'ListShards', { StreamName: stream }, 'Shards');
  let total = 0;
  let more = false;
  let latest = [];
  for (const shard of shards) {
    let { ShardIterator: it } = await aws('kinesis', 'GetShardIterator', { StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' });
    for (let page = 0; it && page < 5; page++) {
      const r = await aws('kinesis', 'GetRecords', { ShardIterator: it, Limit: 10000 });
      const records = r.Records || [];
      total += records.length;
      latest = latest.concat(records.slice(-20).map((x) => ({ shard: shard.ShardId, seq: x.SequenceNumber, atMs: (x.ApproximateArrivalTimestamp || 0) * 1000, data: decodeData(x.Data), key: x.PartitionKey })));
      it = r.NextShardIterator;
      if (!records.length || !r.MillisBehindLatest) break;
      if (page === 4) more = true;
    }
  }
  latest.sort((a, b) => b.atMs - a.atMs);
  return { shards, total, more, latest: latest.slice(0, 20) };
}

async function streamsPage(main, view) {
  const list = table('streams', ['Kind', 'Name', 'Status', 'Where records go', 'Records', 'Latest record']);
  const refreshBtn = h('button', { type: 'button', text: 'Refresh' });
  main.append(
    h('div.row', {}, h('h1', { text: 'Streams' }), h('span.grow'), refreshBtn),
    h('p.lead', { text: 'Firehose delivery streams and Kinesis data streams on this twin, with the records they hold. Click a stream for its latest records.' }),
    list,
  );
  const open = new Set();
  const load = async () => {
    const [fh, ks] = await Promise.all([aws('firehose', 'ListDeliveryStreams', { Limit: 100 }), aws('kinesis', 'ListStreams', {})]);
    const rows = [];
    for (const n of fh.DeliveryStreamNames || []) {
      const [d, latest] = await Promise.all([
        aws('firehose', 'DescribeDeliveryStream', { DeliveryStreamName: n }),
        rest('/_kdaflow/firehose/' + encodeURIComponent(n) + '/latest').catch(() => ({ count: null, records: [] })),
      ]);
      const desc = d.DeliveryStreamDescription || {};
      const dests = (desc.Destinations || []).flatMap((x) => Object.keys(x).filter((k) => k !== 'DestinationId').map((k) => k.replace(/DestinationDescription$/, '')));
      const records = (latest.records || []).map((r) => ({ atMs: r.atMs, data: r.data, id: r.recordId }));
      rows.push({ kind: 'Firehose', name: n, status: desc.DeliveryStreamStatus, where: dests.join(', ') || 'read by Kinesis Analytics inputs', count: latest.count, records });
    }
    for (const n of ks.StreamNames || []) {
      const [sum, latest] = await Promise.all([aws('kinesis', 'DescribeStreamSummary', { StreamName: n }), kinesisLatest(n)]);
      const d = sum.StreamDescriptionSummary || {};
      rows.push({
        kind: 'Kinesis',
        name: n,
        status: d.StreamStatus,
        where: `${latest.shards.length} shard${latest.shards.length === 1 ? '' : 's'}, retention ${d.RetentionPeriodHours} h`,
        count: latest.more ? `≥ ${latest.total}` : latest.total,
        records: latest.latest,
      });
    }
    if (!view.alive) return;
    const tbody = $('tbody', list);
    if (!rows.length) return emptyRow(tbody, 6, 'No streams yet: an execution of the bootstrap creates them.');
    tbody.replaceChildren(
      ...rows.flatMap((r) => {
        const key = r.kind + ':' + r.name;
        const row = h(
          'tr.stream-row',
          { 'data-name': r.name, 'data-kind': r.kind, title: 'Show the latest records' },
          h('td', { text: r.kind }),
          h('td', { text: r.name }),
          h('td', {}, badge(r.status)),
          h('td', { text: r.where }),
          h('td.num', { text: r.count === null || r.count === undefined ? '—' : String(r.count) }),
          h('td.mono', { text: r.records.length ? clip(r.records[0].data.trim(), 80) : '' }),
        );
        const details = h(
          'tr.details',
          { hidden: !open.has(key) },
          h(
            'td',
            { colspan: 6 },
            r.records.length
              ? h('table.records', {}, h('thead', {}, h('tr', {}, h('th', { text: 'Arrived' }), h('th', { text: r.kind === 'Kinesis' ? 'Shard / sequence number' : 'Record id' }), h('th', { text: 'Data' }))), h('tbody', {}, r.records.map((x) => h('tr', {}, h('td', { text: stamp(x.atMs / 1000) }), h('td.mono', { text: x.seq ? `${x.shard} / ${x.seq}` : clip(x.id || '', 40) }), h('td.mono', { text: clip(x.data, 400) })))))
              : h('p.muted', { text: 'No records yet.' }),
          ),
        );
        row.addEventListener('click', () => {
          details.hidden = !details.hidden;
          if (details.hidden) open.delete(key);
          else open.add(key);
        });
        return [row, details];
      }),
    );
  };
  const refresh = view.throttle(1000, load);
  refreshBtn.addEventListener('click', refresh);
  await load();
  view.every(5000, refresh);
}

// ---------------------------------------------------------------------------------------
// Lambda functions and their invocations

async function functionsPage(main, view) {
  const list = table('functions', ['Function', 'Runtime', 'Handler', 'Memory', 'Timeout', 'Last modified']);
  main.append(
    h('h1', { text: 'Lambda functions' }),
    h('p.lead', { text: 'Functions on this twin: each runs as a real process speaking the Lambda Runtime API. Open one for its invocations, logs and a test invoke.' }),
    list,
  );
  const r = await rest(lambdaPath('/functions/'));
  if (!view.alive) return;
  const tbody = $('tbody', list);
  const fns = r.Functions || [];
  if (!fns.length) return emptyRow(tbody, 6, 'No functions.');
  tbody.replaceChildren(
    ...fns.map((f) =>
      h(
        'tr',
        {},
        h('td', {}, h('a', { href: link.fn(f.FunctionName), text: f.FunctionName })),
        h('td', { text: f.Runtime || f.PackageType || '' }),
        h('td.mono', { text: f.Handler || '' }),
        h('td.num', { text: f.MemorySize ? `${f.MemorySize} MB` : '' }),
        h('td.num', { text: f.Timeout ? `${f.Timeout} s` : '' }),
        h('td', { text: f.LastModified || '' }),
      ),
    ),
  );
}

async function functionPage(main, view, name) {
  const facts = h('dl.facts');
  const invocations = table('invocations', ['Time', 'Duration', 'Result', 'Payload', 'Response']);
  const logs = h('pre#logs.code.logs', { text: '' });
  const payload = h('textarea#payload', { rows: 6, spellcheck: 'false', value: '{}', 'aria-label': 'Payload (JSON)' });
  const invoke = h('button#invoke.primary', { type: 'button', text: 'Invoke' });
  const result = h('pre#invoke-result.code', { text: '' });
  main.append(
    crumbs(h('a', { href: '#/functions', text: 'Functions' }), 'Function'),
    h('h1', { text: name }),
    facts,
    h(
      'div.split',
      {},
      h('section.wide', {}, h('h2', { text: 'Latest invocations' }), invocations),
      h('section.side', {}, h('h2', { text: 'Test invoke' }), payload, h('div.row', {}, invoke), result),
    ),
    h('section', {}, h('h2', { text: 'Logs' }), logs),
  );
  const f = await rest(lambdaPath('/functions/' + encodeURIComponent(name)));
  if (!view.alive) return;
  const c = f.Configuration || {};
  facts.replaceChildren(
    ...[
      ['ARN', c.FunctionArn],
      ['Runtime', c.Runtime || `${c.PackageType || 'Zip'} package, no managed runtime`],
      ['Handler', c.Handler],
      ['Memory', c.MemorySize && `${c.MemorySize} MB`],
      ['Timeout', c.Timeout && `${c.Timeout} s`],
      ['State', c.State],
      ['Role', c.Role],
    ]
      .filter(([, v]) => v)
      .flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]),
  );
  const tbody = $('tbody', invocations);
  let seen = '';
  let list = [];
  expandable(tbody, 'tr.invocation', 5, (row) => {
    const inv = list[Number(row.dataset.index)];
    return h('div.pair', {}, h('div', {}, h('h4', { text: 'Payload' }), h('pre.code', { text: pretty(inv.payload || '') })), h('div', {}, h('h4', { text: inv.error ? 'Error' : 'Response' }), h('pre.code', { text: pretty(inv.error || inv.response || '') })));
  });
  const load = async () => {
    const [r, l] = await Promise.all([
      rest('/_kdaflow/lambda/functions/' + encodeURIComponent(name) + '/invocations'),
      rest('/_kdaflow/lambda/functions/' + encodeURIComponent(name) + '/logs').catch(() => ({ lines: [] })),
    ]);
    if (!view.alive) return;
    const fresh = r.invocations || [];
    const key = fresh.length + ':' + (fresh[0] ? fresh[0].atMs : '') + ':' + (fresh[fresh.length - 1] ? fresh[fresh.length - 1].atMs : '');
    if (key !== seen) {
      seen = key;
      list = [...fresh].sort((a, b) => b.atMs - a.atMs);
      if (!list.length) emptyRow(tbody, 5, 'Not invoked yet.');
      else
        tbody.replaceChildren(
          ...list.map((inv, i) =>
            h(
              'tr.invocation',
              { 'data-index': i, class: inv.error ? 'invocation bad' : 'invocation' },
              h('td', { text: clock(new Date(inv.atMs)), title: stamp(inv.atMs / 1000) }),
              h('td.num', { text: duration(inv.durationMs) }),
              h('td', {}, inv.error ? h('span.badge.status-failed', { text: 'error' }) : h('span.badge.status-succeeded', { text: 'ok' })),
              h('td.mono', { text: clip(String(inv.payload || ''), 60) }),
              h('td.mono', { text: clip(String(inv.error || inv.response || ''), 60) }),
            ),
          ),
        );
    }
    const lines = (l.lines || []).slice(-400);
    const text = lines.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n');
    const shownLogs = text || '(this function has written nothing yet)';
    if (logs.textContent !== shownLogs) logs.textContent = shownLogs;
  };
  invoke.addEventListener('click', async () => {
    try {
      JSON.parse(payload.value);
    } catch (e) {
      result.textContent = `The payload is not valid JSON: ${e.message}`;
      return;
    }
    invoke.disabled = true;
    result.textContent = 'Invoking…';
    try {
      const res = await fetch(lambdaPath('/functions/' + encodeURIComponent(name) + '/invocations'), { method: 'POST', body: payload.value });
      if (!res.ok) throw await failure(res);
      const fnError = res.headers.get('x-amz-function-error');
      const body = await res.text();
      result.textContent = (fnError ? `Function error (${fnError}):\n` : '') + pretty(body);
      load();
    } catch (e) {
      result.textContent = '';
      showError(e, 'invoking the function');
    } finally {
      invoke.disabled = false;
    }
  });
  await load();
  view.every(2000, view.throttle(1000, load));
}

// ---------------------------------------------------------------------------------------
// EventBridge: rules and targets, PutEvents, TestEventPattern

async function eventsPage(main, view) {
  const rules = table('rules', ['Rule', 'State', 'Event pattern or schedule', 'Targets']);
  const eventBox = h('textarea#event', { rows: 12, spellcheck: 'false', 'aria-label': 'Entries for PutEvents (JSON)' });
  const put = h('button#put-event.primary', { type: 'button', text: 'Put events' });
  const putResult = h('div#put-result.result', { 'aria-live': 'polite' });
  const pattern = h('textarea#pattern', { rows: 10, spellcheck: 'false', 'aria-label': 'Event pattern (JSON)' });
  const testEvent = h('textarea#test-event', { rows: 12, spellcheck: 'false', 'aria-label': 'Event (JSON)' });
  const test = h('button#test-pattern', { type: 'button', text: 'Test pattern' });
  const testResult = h('div#test-result.result', { 'aria-live': 'polite' });
  main.append(
    h('h1', { text: 'EventBridge' }),
    h('p.lead', { text: 'Rules on the default event bus and their targets. Put an event to trigger them (a rule that targets the bootstrap starts an execution), or test a pattern against an event.' }),
    rules,
    h(
      'div.pair',
      {},
      h('section', {}, h('h2', { text: 'Put events' }), eventBox, h('div.row', {}, put), putResult),
      h('section', {}, h('h2', { text: 'Test an event pattern' }), h('label', { for: 'pattern', text: 'Pattern' }), pattern, h('label', { for: 'test-event', text: 'Event' }), testEvent, h('div.row', {}, test), testResult),
    ),
  );

  const sampleEvent = (source, detailType, detail) => ({
    version: '0',
    id: crypto.randomUUID ? crypto.randomUUID() : '00000000-0000-0000-0000-000000000000',
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail,
  });
  const fill = (rule, detail) => {
    let p = {};
    try {
      p = JSON.parse(rule && rule.EventPattern ? rule.EventPattern : '{}');
    } catch (_) {
      p = {};
    }
    const first = (v, dflt) => (Array.isArray(v) && typeof v[0] === 'string' ? v[0] : dflt);
    const source = first(p.source, 'kdaflow.console');
    const type = first(p['detail-type'], 'Console test');
    pattern.value = JSON.stringify(Object.keys(p).length ? p : { source: [source] }, null, 2);
    testEvent.value = JSON.stringify(sampleEvent(source, type, detail), null, 2);
    eventBox.value = JSON.stringify([{ Source: source, DetailType: type, Detail: detail, EventBusName: (rule && rule.EventBusName) || 'default' }], null, 2);
  };

  const list = await all('events', 'ListRules', { Limit: 100 }, 'Rules');
  const targets = await Promise.all(list.map((r) => aws('events', 'ListTargetsByRule', { Rule: r.Name, EventBusName: r.EventBusName }).then((t) => t.Targets || []).catch(() => [])));
  if (!view.alive) return;
  const tbody = $('tbody', rules);
  if (!list.length) emptyRow(tbody, 4, 'No rules on the default bus.');
  else
    tbody.replaceChildren(
      ...list.map((r, i) =>
        h(
          'tr',
          { 'data-rule': r.Name, title: 'Use this rule in the forms below', onclick: () => detailFor(targets[i]).then((d) => fill(r, d)) },
          h('td', { text: r.Name }),
          h('td', {}, badge(r.State)),
          h('td', {}, h('pre.code.small', { text: r.EventPattern ? pretty(r.EventPattern) : r.ScheduleExpression || '' })),
          h('td', {}, targets[i].map((t) => h('div.mono', { text: `${t.Id}: ${t.Arn}` }, t.InputPath ? h('span.muted', { text: ` (InputPath ${t.InputPath})` }) : null))),
        ),
      ),
    );
  // The detail a rule's state machine target would start with: its sample input, if any.
  async function detailFor(ts) {
    for (const t of ts || []) {
      if (!/:states:.*:stateMachine:/.test(t.Arn)) continue;
      const input = await sampleInput(t.Arn);
      if (Object.keys(input).length) return input;
    }
    return {};
  }
  fill(list[0], await detailFor(targets[0]));

  put.addEventListener('click', async () => {
    let entries;
    try {
      entries = JSON.parse(eventBox.value);
    } catch (e) {
      putResult.className = 'result bad';
      putResult.textContent = `The entries are not valid JSON: ${e.message}`;
      return;
    }
    if (!Array.isArray(entries)) entries = [entries];
    entries = entries.map((x) => ({ ...x, Detail: typeof x.Detail === 'string' ? x.Detail : JSON.stringify(x.Detail || {}) }));
    put.disabled = true;
    try {
      const r = await aws('events', 'PutEvents', { Entries: entries });
      const lines = (r.Entries || []).map((x, i) => (x.EventId ? `Entry ${i + 1}: accepted as event ${x.EventId}` : `Entry ${i + 1}: ${x.ErrorCode}: ${x.ErrorMessage}`));
      putResult.className = r.FailedEntryCount ? 'result bad' : 'result good';
      putResult.textContent = lines.join('\n') + (r.FailedEntryCount ? '' : '\nRules whose pattern matches have started their targets; see the Overview.');
    } catch (e) {
      putResult.textContent = '';
      showError(e, 'putting events');
    } finally {
      put.disabled = false;
    }
  });
  test.addEventListener('click', async () => {
    test.disabled = true;
    try {
      const r = await aws('events', 'TestEventPattern', { EventPattern: pattern.value, Event: testEvent.value });
      testResult.className = r.Result ? 'result good' : 'result bad';
      testResult.textContent = r.Result ? '✓ The event matches the pattern.' : '✗ The event does not match the pattern.';
    } catch (e) {
      testResult.className = 'result bad';
      testResult.textContent = `${e.name}: ${e.message}`;
    } finally {
      test.disabled = false;
    }
  });
}

route();
