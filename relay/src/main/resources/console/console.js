// Agent Relay console: plain JavaScript over the canonical protocol on /ws, and GET /stats. No build step.
'use strict';

const token = new URLSearchParams(location.search).get('token');
const query = token ? '?token=' + encodeURIComponent(token) : '';
const $ = (id) => document.getElementById(id);
const state = { socket: null, paused: false, frames: [], channels: new Set(), graph: null, pending: new Map(), seq: 0,
  drawing: false };
const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws' + query;

$('workflow').value = JSON.stringify({
  nodes: [
    { id: 'plan', tool: 'echo', params: { message: 'plan' } },
    { id: 'work', tool: 'sleep', params: { ms: 800 } },
    { id: 'check', tool: 'echo', params: { message: 'check' } },
    { id: 'report', tool: 'echo', params: { message: 'done' } },
  ],
  edges: [{ from: 'plan', to: 'work' }, { from: 'plan', to: 'check' },
    { from: 'work', to: 'report' }, { from: 'check', to: 'report' }],
}, null, 2);

function connect() {
  const socket = new WebSocket(url);
  state.socket = socket;
  socket.onopen = () => {
    setStatus(true);
    state.channels.forEach((channel) => request('subscribe', { channel }));
  };
  socket.onclose = () => { setStatus(false); setTimeout(connect, 2000); };
  socket.onmessage = (message) => receive(JSON.parse(message.data));
}

function setStatus(connected) {
  $('status').textContent = connected ? 'connected' : 'disconnected';
  $('status').className = 'status ' + (connected ? 'on' : 'off');
}

/** Sends a request; resolves with its response, rejects with its error frame. */
function request(event, data) {
  const id = 'console-' + (++state.seq);
  state.socket.send(JSON.stringify({ id, type: 'request', event, data }));
  return new Promise((resolve, reject) => state.pending.set(id, { resolve, reject }));
}

function receive(frame) {
  const waiting = frame.correlation_id && state.pending.get(frame.correlation_id);
  if (waiting && (frame.type === 'response' || frame.type === 'error')) {
    state.pending.delete(frame.correlation_id);
    (frame.type === 'response' ? waiting.resolve : waiting.reject)(frame);
  }
  if (frame.type === 'event' && frame.event === 'session.created') {
    $('node').textContent = 'node ' + frame.data.node + ' · connection ' + frame.data.connection_id;
    return;
  }
  if (frame.type === 'event') {
    updateGraph(frame);
    if (state.graph && frame.room === 'workflow:' + state.graph && !state.drawing) {
      state.drawing = true;
      requestAnimationFrame(() => { state.drawing = false; drawTimeline(state.graph); });
    }
    if (frame.replayed) {
      const bar = document.createElement('span');
      $('timeline').appendChild(bar);
    }
  }
  state.frames.push(frame);
  if (!state.paused) {
    render(frame);
  }
}

function describe(frame) {
  if (frame.type === 'error') {
    return 'error ' + frame.error_code + ': ' + frame.error_message;
  }
  return (frame.room || '') + ' ' + frame.type + ' ' + (frame.event || '') + ' ' + JSON.stringify(frame.data || {});
}

function render(frame) {
  const text = describe(frame);
  const filter = $('filter').value.trim();
  if (filter && !text.includes(filter)) {
    return;
  }
  const item = document.createElement('li');
  item.textContent = text.length > 160 ? text.slice(0, 160) + '…' : text;
  item.className = frame.type === 'error' ? 'error' : frame.replayed ? 'replayed' : '';
  item.dataset.event = frame.event || '';
  item.onclick = () => { $('inspect').textContent = JSON.stringify(frame, null, 2); };
  $('events').appendChild(item);
  $('events').scrollTop = $('events').scrollHeight;
}

function rerender() {
  $('events').replaceChildren();
  state.frames.forEach(render);
}

// The workflow graph: nodes in layers by their longest path from a root, coloured by their latest state.
function drawGraph(workflowId, nodes, edges) {
  const depth = {};
  const before = (id) => edges.filter((edge) => edge.to === id).map((edge) => edge.from);
  const layer = (id) => depth[id] ?? (depth[id] = Math.max(-1, ...before(id).map(layer)) + 1);
  nodes.forEach((node) => layer(node.id));
  const columns = {};
  nodes.forEach((node) => (columns[depth[node.id]] = columns[depth[node.id]] || []).push(node.id));
  const position = {};
  Object.entries(columns).forEach(([column, ids]) => ids.forEach((id, row) => {
    position[id] = { x: 70 + column * 150, y: 40 + row * 60 };
  }));
  const svg = $('graph');
  svg.innerHTML = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6"'
    + ' orient="auto"><path d="M0,0L10,5L0,10z" fill="#8a94a6"/></marker></defs>';
  edges.forEach((edge) => {
    const from = position[edge.from];
    const to = position[edge.to];
    svg.insertAdjacentHTML('beforeend',
      `<line x1="${from.x + 55}" y1="${from.y}" x2="${to.x - 55}" y2="${to.y}"></line>`);
  });
  nodes.forEach((node) => {
    const at = position[node.id];
    svg.insertAdjacentHTML('beforeend', `<g class="node pending" data-node="${node.id}">`
      + `<rect x="${at.x - 55}" y="${at.y - 18}" width="110" height="36"></rect>`
      + `<text x="${at.x}" y="${at.y}">${node.id}</text></g>`);
  });
  state.graph = workflowId;
  $('graph-title').textContent = workflowId;
  $('gantt').replaceChildren();
  $('gantt-summary').textContent = '';
}

function updateGraph(frame) {
  if (!state.graph || frame.room !== 'workflow:' + state.graph || !frame.data || !frame.data.node_id) {
    return;
  }
  const status = { 'node.started': 'running', 'node.completed': 'completed', 'node.failed': 'failed' }[frame.event];
  const node = document.querySelector(`#graph g[data-node="${frame.data.node_id}"]`);
  if (status && node) {
    node.setAttribute('class', 'node ' + status);
  }
}

/**
 * A workflow's timeline from its events (live and replayed, each once): each node's attempts with their executor,
 * start, end and outcome; the hand-overs from one executor to another. As relay inspect tells it.
 */
function timelineOf(workflowId) {
  const room = 'workflow:' + workflowId;
  const seen = new Set();
  const timeline = { nodes: new Map(), handovers: [], start: null, end: null, status: 'running' };
  let executor = null;
  state.frames.filter((frame) => frame.type === 'event' && frame.room === room && !seen.has(frame.id)
    && seen.add(frame.id)).forEach((frame) => {
    const at = Date.parse(frame.timestamp);
    const data = frame.data || {};
    if (frame.event === 'workflow.started') {
      timeline.start = at;
      executor = data.worker_id || executor;
      (data.nodes || []).forEach((node) => timeline.nodes.set(node.id, timeline.nodes.get(node.id) || []));
    } else if (frame.event === 'node.started') {
      if (data.worker_id && executor && data.worker_id !== executor) {
        timeline.handovers.push({ at, from: executor, to: data.worker_id, node: data.node_id });
      }
      executor = data.worker_id || executor;
      const runs = timeline.nodes.get(data.node_id) || [];
      const last = runs[runs.length - 1];
      if (last && last.outcome === 'running') {
        Object.assign(last, { outcome: 'interrupted', end: at });
      }
      runs.push({ attempt: data.attempt || runs.length + 1, executor: data.worker_id, start: at, end: null,
        outcome: 'running' });
      timeline.nodes.set(data.node_id, runs);
    } else if (frame.event === 'node.completed' || frame.event === 'node.failed') {
      const runs = timeline.nodes.get(data.node_id) || [];
      const last = runs[runs.length - 1];
      if (last) {
        Object.assign(last, { outcome: frame.event.slice('node.'.length), end: at, ms: data.duration_ms });
      }
    } else if (/^workflow\.(completed|failed|cancelled)$/.test(frame.event)) {
      timeline.end = at;
      timeline.status = frame.event.slice('workflow.'.length);
      timeline.ms = data.duration_ms;
    }
  });
  return timeline;
}

const millis = (ms) => (ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(1) + ' s');

/** The timeline as a Gantt chart: a row per node, a bar per attempt, hand-overs as dashed lines. */
function drawTimeline(workflowId) {
  const timeline = timelineOf(workflowId);
  const svg = $('gantt');
  const runs = [...timeline.nodes.values()].flat();
  const starts = runs.map((run) => run.start).concat(timeline.start ? [timeline.start] : []);
  if (starts.length === 0) {
    svg.innerHTML = '';
    return;
  }
  const origin = Math.min(...starts);
  const last = Math.max(timeline.end || 0, ...runs.map((run) => run.end || Date.now()));
  const span = Math.max(last - origin, 1);
  const left = 110;
  const width = Math.max(svg.clientWidth || 600, 300) - left - 70;
  const x = (at) => left + ((at - origin) / span) * width;
  const rows = [...timeline.nodes.keys()];
  svg.setAttribute('height', String(rows.length * 22 + 24));
  let html = '';
  rows.forEach((nodeId, row) => {
    const y = 8 + row * 22;
    html += `<text x="4" y="${y + 8}">${escapeHtml(nodeId)}</text>`;
    timeline.nodes.get(nodeId).forEach((run) => {
      const end = run.end || Date.now();
      const ms = run.ms ?? end - run.start;
      html += `<rect class="bar ${run.outcome}" data-node="${escapeHtml(nodeId)}" data-attempt="${run.attempt}"`
        + ` x="${x(run.start)}" y="${y}" width="${Math.max(x(end) - x(run.start), 2)}" height="16">`
        + `<title>${escapeHtml(nodeId)} attempt ${run.attempt} on ${escapeHtml(run.executor || '?')}: `
        + `${run.outcome}, ${millis(ms)}</title></rect>`
        + `<text class="duration" x="${x(end) + 4}" y="${y + 8}">${millis(ms)}`
        + `${run.attempt > 1 ? ' (attempt ' + run.attempt + ')' : ''}</text>`;
    });
  });
  timeline.handovers.forEach((handover) => {
    html += `<line class="handover" x1="${x(handover.at)}" x2="${x(handover.at)}" y1="0" y2="${rows.length * 22 + 8}">`
      + '</line>'
      + `<text class="handover-label" x="${x(handover.at) + 3}" y="${rows.length * 22 + 16}">`
      + `${escapeHtml(handover.from)} → ${escapeHtml(handover.to)}</text>`;
  });
  svg.innerHTML = html;
  $('gantt-summary').textContent = timeline.status
    + (timeline.ms !== undefined ? ' in ' + millis(timeline.ms) : '')
    + (timeline.handovers.length ? ' · ' + timeline.handovers.length + ' hand-over(s)' : '');
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;',
    "'": '&#39;' })[c]);
}

/**
 * The recent workflows: a replay of workflow:* on a socket of its own, keeping only their start and end events, so
 * that it neither fills the event list nor waits behind it.
 */
function loadRecent() {
  const found = new Map();
  const socket = new WebSocket(url);
  socket.onopen = () => socket.send(JSON.stringify({ id: 'recent', type: 'request', event: 'replay', data: {
    channel: 'workflow:*', from: bound($('recent-since').value.trim()),
    events: ['workflow.started', 'workflow.completed', 'workflow.failed', 'workflow.cancelled'] } }));
  socket.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === 'error') {
      render(frame);
      socket.close();
    } else if (frame.type === 'event' && frame.replayed && frame.event === 'replay.completed') {
      socket.close();
      showRecent([...found.values()]);
    } else if (frame.type === 'event' && frame.replayed) {
      const id = frame.room.slice('workflow:'.length);
      const workflow = found.get(id) || { id, status: 'running' };
      if (frame.event === 'workflow.started') {
        Object.assign(workflow, { started: frame.timestamp, nodes: frame.data.nodes, edges: frame.data.edges });
      } else {
        Object.assign(workflow, { status: frame.event.slice('workflow.'.length), ms: frame.data.duration_ms,
          error: frame.data.error, ended: frame.timestamp });
      }
      found.set(id, workflow);
    }
  };
}

function showRecent(workflows) {
  const status = $('recent-status').value;
  $('recent').replaceChildren(...workflows.filter((workflow) => !status || workflow.status === status)
    .sort((a, b) => (b.started || b.ended || '').localeCompare(a.started || a.ended || '')).map((workflow) => {
      const item = document.createElement('li');
      item.className = workflow.status;
      item.dataset.workflow = workflow.id;
      item.textContent = workflow.id + ' · ' + workflow.status
        + (workflow.ms !== undefined ? ' · ' + millis(workflow.ms) : '')
        + (workflow.error ? ' · ' + workflow.error : '');
      item.title = 'started ' + (workflow.started || 'before the list begins');
      item.onclick = () => openWorkflow(workflow);
      return item;
    }));
}

/** Shows a recent workflow: its graph, then its whole history replayed into the graph and the timeline. */
function openWorkflow(workflow) {
  drawGraph(workflow.id, workflow.nodes || [], workflow.edges || []);
  drawTimeline(workflow.id);
  request('replay', { channel: 'workflow:' + workflow.id, from: '1970-01-01T00:00:00Z', speed: 0 })
    .catch((error) => render(error));
}

$('recent-form').onsubmit = (submit) => {
  submit.preventDefault();
  loadRecent();
};

async function subscribe(channel) {
  await request('subscribe', { channel });
  state.channels.add(channel);
  const item = document.createElement('li');
  item.textContent = channel;
  const leave = document.createElement('button');
  leave.textContent = 'Unsubscribe';
  leave.onclick = async () => {
    await request('unsubscribe', { channel });
    state.channels.delete(channel);
    item.remove();
  };
  item.appendChild(leave);
  $('channels').appendChild(item);
}

$('subscribe-form').onsubmit = (submit) => {
  submit.preventDefault();
  subscribe($('channel').value.trim()).catch((error) => render(error));
};

$('workflow-form').onsubmit = async (submit) => {
  submit.preventDefault();
  let workflow;
  try {
    workflow = JSON.parse($('workflow').value);
  } catch (error) {
    render({ type: 'error', error_code: 'PARSE_ERROR', error_message: 'the workflow is not JSON: ' + error.message });
    return;
  }
  workflow.workflow_id = workflow.workflow_id || 'console-' + Date.now();
  drawGraph(workflow.workflow_id, workflow.nodes || [], workflow.edges || []);
  try {
    await subscribe('workflow:' + workflow.workflow_id);
    await request('execute_workflow', workflow);
  } catch (error) {
    render(error);
  }
};

$('replay-speed').oninput = () => {
  const speed = Number($('replay-speed').value);
  $('replay-speed-value').textContent = speed === 0 ? 'as fast as possible' : speed + '× the original pace';
};

$('replay-form').onsubmit = (submit) => {
  submit.preventDefault();
  $('timeline').replaceChildren();
  const channel = $('replay-channel').value.trim();
  if (channel.startsWith('workflow:') && state.graph !== channel.slice('workflow:'.length)) {
    document.querySelectorAll('#graph g').forEach((node) => node.setAttribute('class', 'node pending'));
  }
  request('replay', { channel, from: bound($('replay-from').value.trim()), speed: Number($('replay-speed').value) })
    .catch((error) => render(error));
};

/** A replay bound as the relay takes it: "-1h" (or s, m, d) becomes an ISO time; a time or a pos stays as it is. */
function bound(value) {
  const relative = /^-(\d+)([smhd])$/.exec(value);
  if (!relative) {
    return value;
  }
  const unit = { s: 1000, m: 60000, h: 3600000, d: 86400000 }[relative[2]];
  return new Date(Date.now() - Number(relative[1]) * unit).toISOString();
}

$('pause').onclick = () => {
  state.paused = !state.paused;
  $('pause').textContent = state.paused ? 'Resume' : 'Pause';
  if (!state.paused) {
    rerender();
  }
};
$('clear').onclick = () => { state.frames = []; rerender(); };
$('filter').oninput = rerender;

async function refreshCounters() {
  try {
    const stats = await (await fetch('/stats' + query)).json();
    const shown = ['connections', 'channels', 'frames_in', 'frames_out', 'errors', 'commands_published',
      'events_consumed', 'events_delivered', 'slow_consumers_closed', 'commands_circuit'];
    $('counters').replaceChildren(...shown.filter((key) => key in stats).map((key) => {
      const counter = document.createElement('div');
      counter.className = 'counter';
      counter.dataset.counter = key;
      counter.innerHTML = `<b>${stats[key]}</b>${key.replaceAll('_', ' ')}`;
      return counter;
    }));
  } catch (error) {
    // The relay is restarting; the next refresh tries again.
  }
}

connect();
loadRecent();
refreshCounters();
setInterval(refreshCounters, 2000);
