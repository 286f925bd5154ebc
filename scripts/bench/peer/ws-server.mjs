// The benchmarks' peer: what users would write instead of the relay, a Node.js `ws` server that answers the
// canonical subscribe and ping and broadcasts numbered events to each channel's subscribers at a steady rate, with
// frames shaped like the relay's. No Kafka behind it.
//
// node ws-server.mjs PORT RATE CHANNEL_PATTERN CHANNELS PAYLOAD   -> prints BENCH_URL=ws://127.0.0.1:PORT/ws
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';

const [port, rate, pattern, channels, payload] = process.argv.slice(2);
const subscribers = new Map();
const server = new WebSocketServer({ host: '127.0.0.1', port: Number(port), perMessageDeflate: false });

server.on('connection', (socket) => {
  const joined = [];
  socket.on('message', (data) => {
    let request;
    try {
      request = JSON.parse(data);
    } catch {
      return;
    }
    if (request.event === 'subscribe') {
      const name = request.data?.channel;
      if (!subscribers.has(name)) subscribers.set(name, new Set());
      subscribers.get(name).add(socket);
      joined.push(name);
    }
    socket.send(JSON.stringify({ correlation_id: request.id, type: 'response', event: request.event,
      data: { status: 'ok' } }));
  });
  socket.on('close', () => joined.forEach((name) => subscribers.get(name)?.delete(socket)));
});

server.on('listening', () => console.log(`BENCH_URL=ws://127.0.0.1:${server.address().port}/ws`));

// Microsecond wall-clock time, as the relay's timestamps carry it.
function isoMicros() {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  const micros = String(Math.floor((ms - whole) * 1000)).padStart(3, '0');
  return new Date(whole).toISOString().replace('Z', `${micros}Z`);
}

const names = Array.from({ length: Number(channels) }, (_, i) => pattern.replace('{i}', String(i)));
const seq = new Array(names.length).fill(0);
const pad = 'x'.repeat(Number(payload));
const interval = 1000 / Number(rate);
const start = performance.now();
let n = 0;

// Sends every event that is due, then yields to the event loop until the next one is.
function tick() {
  const now = performance.now();
  while (start + n * interval <= now) {
    const i = n % names.length;
    const number = seq[i]++;
    n++;
    const targets = subscribers.get(names[i]);
    if (!targets || targets.size === 0) continue;
    // Encoded once, the same bytes for every subscriber.
    const frame = Buffer.from(`{"id":"${randomUUID()}","type":"event","event":"bench.tick","data":{"seq":${number},`
      + `"pad":"${pad}"},"timestamp":"${isoMicros()}","room":"${names[i]}","pos":"v1.bench.${i}.${number}"}`);
    for (const socket of targets) socket.send(frame, { binary: false });
  }
  setTimeout(tick, Math.max(0, start + n * interval - performance.now()));
}
tick();
