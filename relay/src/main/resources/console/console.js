// Agent Relay console: plain JavaScript over the canonical protocol on /ws, and GET /stats. No build step.
'use strict';

const token = new URLSearchParams(location.search).get('token');
const query = token ? '?token=' + encodeURIComponent(token) : '';
const $ = (id) => document.getElementById(id);
const state = { socket: null, paused: false, frames: [], channels: new Set(), graph: null, pending: new Map(), seq: 0 };

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
  const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws' + query);
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
refreshCounters();
setInterval(refreshCounters, 2000);
