// Unit tests of RelayClient against an in-process fake of the relay's sockets (test/fake-relay.mjs). The real relay
// is tested from relay/src/test/java/io/agentrelay/relay/TypeScriptClientIT.java.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import WebSocket from 'ws';

import { RelayClient, RelayError, isEvent } from '../dist/index.js';
import { reconnectDelay } from '../dist/backoff.js';
import { FakeRelay, until } from './fake-relay.mjs';

const clients = [];

afterEach(() => clients.splice(0).forEach((client) => client.close()));

/** A client of a fake relay, connected, with reconnect delays of a few milliseconds. */
async function connected(options = {}) {
  const relay = new FakeRelay();
  const client = new RelayClient({
    url: 'ws://relay.test/ws', WebSocket: relay.WebSocket, reconnect: { initialDelayMs: 1, maxDelayMs: 4 }, ...options,
  });
  clients.push(client);
  const connecting = client.connect();
  relay.welcome(await relay.socket(1));
  await connecting;
  return { relay, client, socket: relay.sockets[0] };
}

/** Subscribes and answers as the relay does, with the channel's position. */
async function subscribed(relay, socket, client, channel, handler, pos = 'inc.1.9') {
  const before = socket.sent.filter((frame) => frame.event === 'subscribe').length;
  const subscribing = client.subscribe(channel, handler);
  const request = await relay.request(socket, 'subscribe', before + 1);
  relay.respond(socket, request, { status: 'subscribed', channel, pos });
  return subscribing;
}

/** A subscription handler that records its events (their positions, unless told otherwise) and resumes. */
function recorder(describe = (event) => event.pos) {
  const events = [];
  const resumes = [];
  return { events, resumes, onEvent: (event) => events.push(describe(event)), onResumed: (resume) => resumes.push(resume) };
}

describe('connect', () => {
  test('waits for the welcome and then knows its connection id', async () => {
    const { client } = await connected();

    assert.equal(client.state, 'open');
    assert.equal(client.connectionId, 'conn-0');
  });

  test('sends the token as the token query parameter', async () => {
    const { relay } = await connected({ token: 'secret.jwt' });

    assert.equal(relay.sockets[0].url.searchParams.get('token'), 'secret.jwt');
  });

  test('rejects when the relay closes before its welcome, and may be called again', async () => {
    const relay = new FakeRelay();
    const client = new RelayClient({ url: 'ws://relay.test/ws', WebSocket: relay.WebSocket });
    clients.push(client);

    const first = client.connect();
    relay.drop(await relay.socket(1), 1006);
    await assert.rejects(first, (error) => error instanceof RelayError && error.code === 'CONNECTION_LOST');
    assert.equal(client.state, 'idle');

    const second = client.connect();
    relay.welcome(await relay.socket(2));
    await second;
    assert.equal(client.state, 'open');
  });

  test('gives up on a relay that does not welcome it in time, and closes that socket', async () => {
    const relay = new FakeRelay();
    const client = new RelayClient({ url: 'ws://relay.test/ws', WebSocket: relay.WebSocket, connectTimeoutMs: 20 });
    clients.push(client);

    await assert.rejects(client.connect(), (error) => error.code === 'TIMEOUT');
    assert.deepEqual(relay.sockets[0].closedWith, { code: 1000, reason: '' });
  });

  test("with the ws package, gives up on a server that never answers the upgrade, and the process lives on", async () => {
    const server = createServer(() => {}).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const closed = [];
    class Recorded extends WebSocket {
      constructor(url) {
        super(url);
        closed.push(new Promise((resolve) => this.on('close', resolve)));
      }
    }
    const client = new RelayClient({ url: `ws://127.0.0.1:${server.address().port}/ws`, WebSocket: Recorded,
      connectTimeoutMs: 50 });
    clients.push(client);
    try {
      await assert.rejects(client.connect(), (error) => error.code === 'TIMEOUT');
      // ws reports the aborted handshake as an error before it closes; without a handler it would be uncaught.
      await closed[0];
    } finally {
      server.close();
    }
  });

  test('close() while waiting for the welcome ends it: a welcome already on its way does not open the client', async () => {
    const relay = new FakeRelay();
    const states = [];
    const client = new RelayClient({ url: 'ws://relay.test/ws', WebSocket: relay.WebSocket,
      onStateChange: (state) => states.push(state) });
    clients.push(client);

    const connecting = client.connect();
    const socket = await relay.socket(1);
    client.close();
    relay.welcome(socket);

    await assert.rejects(connecting, (error) => error.code === 'CLOSED');
    assert.equal(client.state, 'closed');
    assert.deepEqual(states, ['connecting', 'closed']);
    await assert.rejects(client.request('ping'), (error) => error.code === 'CLOSED');
  });

  test('uses the global WebSocket when none is passed, and says what to do when there is none', () => {
    const saved = globalThis.WebSocket;
    try {
      globalThis.WebSocket = undefined;
      assert.throws(() => new RelayClient({ url: 'ws://relay.test/ws' }), /pass one as the WebSocket option/);
      globalThis.WebSocket = new FakeRelay().WebSocket;
      assert.doesNotThrow(() => new RelayClient({ url: 'ws://relay.test/ws' }));
    } finally {
      globalThis.WebSocket = saved;
    }
  });

  test('refuses a URL that is not a WebSocket URL, and settings that make no sense', () => {
    const WebSocket = new FakeRelay().WebSocket;
    assert.throws(() => new RelayClient({ url: 'http://relay.test/ws', WebSocket }), /not a WebSocket URL/);
    assert.throws(() => new RelayClient({ url: 'relay', WebSocket }), /is not a URL/);
    assert.throws(() => new RelayClient({ url: 'ws://relay.test/ws', WebSocket, requestTimeoutMs: 0 }),
      /requestTimeoutMs must be positive/);
    assert.throws(() => new RelayClient({
      url: 'ws://relay.test/ws', WebSocket, reconnect: { initialDelayMs: 100, maxDelayMs: 10 },
    }), /shorter than initialDelayMs/);
  });
});

describe('request', () => {
  test("resolves with the response's data", async () => {
    const { relay, client, socket } = await connected();

    const answer = client.request('execute_workflow', { workflow_id: 'w1', nodes: [{ id: 'a', tool: 'echo' }] });
    const request = await relay.request(socket, 'execute_workflow');
    relay.respond(socket, request, { status: 'accepted', workflow_id: 'w1', command_id: 'c-1', trace_id: 't' });

    assert.equal(request.type, 'request');
    assert.deepEqual(request.data, { workflow_id: 'w1', nodes: [{ id: 'a', tool: 'echo' }] });
    assert.deepEqual(await answer, { status: 'accepted', workflow_id: 'w1', command_id: 'c-1', trace_id: 't' });
  });

  test('rejects with a RelayError carrying the code and message of an error frame', async () => {
    const { relay, client, socket } = await connected();

    const answer = client.request('no_such_request', {});
    relay.fail(socket, await relay.request(socket, 'no_such_request'), 'UNKNOWN_REQUEST', "unknown request 'x'");

    await assert.rejects(answer, (error) => error instanceof RelayError && error.code === 'UNKNOWN_REQUEST'
      && error.message === "unknown request 'x'" && !error.retriable);
  });

  test('times out, and a retry with the same id is the same request', async () => {
    const { relay, client, socket } = await connected();

    await assert.rejects(client.request('ping', {}, { id: 'my-id', timeoutMs: 10 }),
      (error) => error.code === 'TIMEOUT' && error.retriable && /same id/.test(error.message));
    const retry = client.request('ping', {}, { id: 'my-id' });
    const second = await relay.request(socket, 'ping', 2);
    relay.respond(socket, second, { status: 'pong' });

    assert.equal((await relay.request(socket, 'ping', 1)).id, 'my-id');
    assert.equal(second.id, 'my-id');
    assert.deepEqual(await retry, { status: 'pong' });
  });

  test('refuses a second request with the id of one still waiting', async () => {
    const { client } = await connected();

    const first = client.request('ping', {}, { id: 'same', timeoutMs: 50 });
    await assert.rejects(client.request('ping', {}, { id: 'same' }), /already waiting/);
    await assert.rejects(first, (error) => error.code === 'TIMEOUT');
  });

  test('refuses an id the relay would not answer with: empty, or longer than 128 characters', async () => {
    const { relay, client, socket } = await connected();

    await assert.rejects(client.request('ping', {}, { id: '' }), /1 to 128 characters/);
    await assert.rejects(client.request('ping', {}, { id: 'x'.repeat(129) }), /1 to 128 characters/);
    const longest = client.request('ping', {}, { id: 'x'.repeat(128) });
    relay.respond(socket, await relay.request(socket, 'ping'), { status: 'pong' });
    assert.deepEqual(await longest, { status: 'pong' });
    assert.equal(socket.sent.length, 1);
  });

  test('fails at once before connect()', async () => {
    const client = new RelayClient({ url: 'ws://relay.test/ws', WebSocket: new FakeRelay().WebSocket });

    await assert.rejects(client.request('ping'), (error) => error.code === 'NOT_CONNECTED');
  });

  test('in flight when the connection drops fails with CONNECTION_LOST; one made while reconnecting waits', async () => {
    const { relay, client, socket } = await connected();

    const inFlight = client.request('get_workflow_status', { workflow_id: 'w1' });
    await relay.request(socket, 'get_workflow_status');
    relay.drop(socket);
    await assert.rejects(inFlight, (error) => error.code === 'CONNECTION_LOST' && error.retriable);
    const waiting = client.request('ping');
    const second = await relay.socket(2);
    relay.welcome(second);
    relay.respond(second, await relay.request(second, 'ping'), { status: 'pong' });

    assert.deepEqual(await waiting, { status: 'pong' });
  });

  test('hands error frames that answer no request to onError', async () => {
    const errors = [];
    const { relay, socket } = await connected({ onError: (error) => errors.push(error) });

    relay.fail(socket, { id: 'answered-before' }, 'INVALID_REQUEST', "workflow 'w1' already exists");

    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'INVALID_REQUEST');
  });
  test('without onError, an error frame that answers no request is logged, not thrown', async (t) => {
    const logged = t.mock.method(console, 'error', () => {});
    const { relay, client, socket } = await connected();

    await assert.rejects(client.request('ping', {}, { id: 'late', timeoutMs: 1 }), (error) => error.code === 'TIMEOUT');
    relay.fail(socket, { id: 'late' }, 'INVALID_REQUEST', "workflow 'w1' already exists");
    relay.send(socket, { type: 'error', id: 'e-1', error_code: 'RATE_LIMITED', error_message: 'slow down' });
    // A thrown error would surface on a later turn of the event loop and fail this test as uncaught.
    await new Promise((resolve) => setImmediate(resolve));

    assert.deepEqual(logged.mock.calls.map((call) => call.arguments.at(-1).code), ['INVALID_REQUEST', 'RATE_LIMITED']);
  });
});

describe('subscribe', () => {
  test('hands the channel its events, and unsubscribe stops them at once', async () => {
    const { relay, client, socket } = await connected();
    const events = [];

    const sub = await subscribed(relay, socket, client, 'workflow:w1', (event) => events.push(event));
    relay.event(socket, 'workflow:w1', 'node.completed', 'inc.1.10', { workflow_id: 'w1', node_id: 'a' });
    relay.event(socket, 'workflow:other', 'node.completed', 'inc.2.3');
    const unsubscribing = sub.unsubscribe();
    relay.event(socket, 'workflow:w1', 'workflow.completed', 'inc.1.11');
    relay.respond(socket, await relay.request(socket, 'unsubscribe'), { status: 'unsubscribed', channel: 'workflow:w1' });
    await unsubscribing;

    assert.deepEqual(events.map((event) => event.pos), ['inc.1.10']);
    assert.ok(isEvent(events[0], 'node.completed'));
    assert.equal(events[0].data.node_id, 'a');
  });

  test("unsubscribe() and close() at once, as in the README's example, leave no rejection behind", async () => {
    const { relay, client, socket } = await connected();
    const sub = await subscribed(relay, socket, client, 'workflow:w1', () => {});

    const unsubscribing = sub.unsubscribe();
    client.close();

    assert.equal(await unsubscribing, undefined);
    assert.equal((await relay.request(socket, 'unsubscribe')).data.channel, 'workflow:w1');
  });

  test('refused, it rejects with the relay error and keeps nothing, so that it can be tried again', async () => {
    const { relay, client, socket } = await connected();

    const refused = client.subscribe('workflow:w1', () => {});
    relay.fail(socket, await relay.request(socket, 'subscribe'), 'FORBIDDEN', 'not allowed');
    await assert.rejects(refused, (error) => error.code === 'FORBIDDEN');
    const again = client.subscribe('workflow:w1', () => {});
    relay.respond(socket, await relay.request(socket, 'subscribe', 2), { status: 'subscribed', channel: 'workflow:w1' });

    assert.equal((await again).channel, 'workflow:w1');
  });

  test('global with since is refused: it cannot resume', async () => {
    const { relay, client, socket } = await connected();

    await assert.rejects(client.subscribe('global', () => {}, { since: 'inc.1.5' }), /global cannot resume.*since/);
    // Nothing kept: subscribing to it live still works.
    assert.equal((await subscribed(relay, socket, client, 'global', () => {})).channel, 'global');
  });

  test('a channel already subscribed to is refused', async () => {
    const { relay, client, socket } = await connected();
    await subscribed(relay, socket, client, 'workflow:w1', () => {});

    await assert.rejects(client.subscribe('workflow:w1', () => {}), /already subscribed to workflow:w1/);
  });

  test('with since, it asks from there and tells the handler whether that was complete', async () => {
    const { relay, client, socket } = await connected();
    const resumes = [];

    const subscribing = client.subscribe('workflow:w1',
      { onEvent: () => {}, onResumed: (resume) => resumes.push(resume) }, { since: 'inc.1.5' });
    const request = await relay.request(socket, 'subscribe');
    relay.respond(socket, request, { status: 'subscribed', channel: 'workflow:w1', recovered: true });
    await subscribing;

    assert.deepEqual(request.data, { channel: 'workflow:w1', since: 'inc.1.5' });
    assert.deepEqual(resumes, [{ recovered: true }]);
  });

  test('a handler that throws does not stop the others; its error goes to onError', async () => {
    const errors = [];
    const { relay, client, socket } = await connected({ onError: (error) => errors.push(error.message) });
    const seen = [];
    await subscribed(relay, socket, client, 'workflow:w1', () => {
      throw new Error('handler bug');
    });
    await subscribed(relay, socket, client, 'global', (event) => seen.push(event.pos));

    relay.event(socket, 'workflow:w1', 'node.started', 'inc.1.10');
    relay.event(socket, 'workflow:w1', 'node.completed', 'inc.1.11');

    assert.deepEqual(seen, ['inc.1.10', 'inc.1.11']);
    assert.deepEqual(errors, ['handler bug', 'handler bug']);
  });
});

describe('replay', () => {
  test("hands the replayed events to its handler, not the subscription's, and resolves with the count", async () => {
    const { relay, client, socket } = await connected();
    const live = [];
    const replayed = [];
    await subscribed(relay, socket, client, 'workflow:w1', (event) => live.push(event.pos));

    const replaying = client.replay('workflow:w1', { from: 'inc.1.0', to: 'inc.1.1' }, (event) => replayed.push(event.pos));
    const request = await relay.request(socket, 'replay');
    relay.respond(socket, request, { status: 'replaying' });
    relay.send(socket, { type: 'event', id: 'x1', event: 'node.started', room: 'workflow:w1', pos: 'inc.1.0', replayed: true });
    relay.event(socket, 'workflow:w1', 'node.completed', 'inc.1.10');
    relay.send(socket, { type: 'event', id: 'x2', event: 'node.completed', room: 'workflow:w1', pos: 'inc.1.1', replayed: true });
    relay.send(socket, { type: 'event', id: 'x3', correlation_id: request.id, event: 'replay.completed',
      room: 'workflow:w1', replayed: true, data: { channel: 'workflow:w1', count: 2 } });

    assert.deepEqual(request.data, { from: 'inc.1.0', to: 'inc.1.1', channel: 'workflow:w1' });
    assert.deepEqual(await replaying, { count: 2 });
    assert.deepEqual(replayed, ['inc.1.0', 'inc.1.1']);
    assert.deepEqual(live, ['inc.1.10']);
  });

  test('rejects with the relay error, and with CONNECTION_LOST when the connection drops before the end', async () => {
    const { relay, client, socket } = await connected();

    const refused = client.replay('workflow:w1', { from: 'x' }, () => {});
    relay.fail(socket, await relay.request(socket, 'replay'), 'INVALID_REQUEST', 'bad from');
    await assert.rejects(refused, (error) => error.code === 'INVALID_REQUEST');
    const cut = client.replay('workflow:w1', { from: 'inc.1.0' }, () => {});
    relay.respond(socket, await relay.request(socket, 'replay', 2), { status: 'replaying' });
    await assert.rejects(client.replay('workflow:w1', { from: 'inc.1.0' }, () => {}), /still running/);
    relay.drop(socket);

    await assert.rejects(cut, (error) => error.code === 'CONNECTION_LOST');
  });
});

describe('reconnect and resume', () => {
  test('subscribes again from the last pos, and hands over each event once, in order', async () => {
    const { relay, client, socket } = await connected();
    const { events, resumes, ...handler } = recorder();
    await subscribed(relay, socket, client, 'workflow:w1', handler);
    relay.event(socket, 'workflow:w1', 'node.started', 'inc.1.10');
    relay.event(socket, 'workflow:w1', 'node.completed', 'inc.1.11');

    const second = await relay.reconnect(socket);
    const resume = await relay.request(second, 'subscribe');
    relay.respond(second, resume, { status: 'subscribed', channel: 'workflow:w1', recovered: true });
    // A relay may send again what the client had; the handler must not see it twice.
    relay.event(second, 'workflow:w1', 'node.completed', 'inc.1.11');
    relay.event(second, 'workflow:w1', 'node.started', 'inc.1.12');
    await until(() => events.length === 3, 'the third event');

    assert.deepEqual(resume.data, { channel: 'workflow:w1', since: 'inc.1.11' });
    assert.deepEqual(resumes, [{ recovered: true }]);
    assert.deepEqual(events, ['inc.1.10', 'inc.1.11', 'inc.1.12']);
    assert.equal(client.state, 'open');
  });

  test("resumes a channel that had no event yet from the subscribe answer's pos", async () => {
    const { relay, client, socket } = await connected();
    const sub = await subscribed(relay, socket, client, 'workflow:quiet', () => {}, 'inc.0.41');

    const second = await relay.reconnect(socket);

    assert.deepEqual((await relay.request(second, 'subscribe')).data, { channel: 'workflow:quiet', since: 'inc.0.41' });
    assert.equal(sub.lastPos, 'inc.0.41');
  });

  test('passes on an incomplete resume with its reason, and then takes every event as new', async () => {
    const { relay, client, socket } = await connected();
    const { events, resumes, ...handler } = recorder();
    await subscribed(relay, socket, client, 'workflow:w1', handler);
    relay.event(socket, 'workflow:w1', 'node.started', 'inc.1.500');

    const second = await relay.reconnect(socket);
    const reason = "'since' is ahead of the channel's partition (end offset 20); only new events follow";
    relay.respond(second, await relay.request(second, 'subscribe'),
      { status: 'subscribed', channel: 'workflow:w1', recovered: false, reason });
    await until(() => resumes.length === 1, 'the resume');
    relay.event(second, 'workflow:w1', 'node.started', 'inc.1.20');

    assert.deepEqual(resumes, [{ recovered: false, reason }]);
    assert.deepEqual(events, ['inc.1.500', 'inc.1.20']);
  });

  test('subscribes global again live and says it could not resume', async () => {
    const { relay, client, socket } = await connected();
    const { events, resumes, ...handler } = recorder((event) => event.room + '@' + event.pos);
    await subscribed(relay, socket, client, 'global', handler);
    relay.event(socket, 'workflow:a', 'node.started', 'inc.1.7');

    const second = await relay.reconnect(socket);
    const resume = await relay.request(second, 'subscribe');
    relay.respond(second, resume, { status: 'subscribed', channel: 'global' });
    await until(() => resumes.length === 1, 'the resume');
    relay.event(second, 'workflow:b', 'node.started', 'inc.1.8');

    assert.deepEqual(resume.data, { channel: 'global' });
    assert.equal(resumes[0].recovered, false);
    assert.match(resumes[0].reason, /global cannot resume/);
    assert.deepEqual(events, ['workflow:a@inc.1.7', 'workflow:b@inc.1.8']);
  });

  test("global gets a resuming channel's catch-up, which the relay sends after other channels' newer events", async () => {
    const { relay, client, socket } = await connected();
    const firehose = recorder((event) => event.room + '@' + event.pos);
    const w1 = recorder();
    await subscribed(relay, socket, client, 'global', firehose);
    await subscribed(relay, socket, client, 'workflow:w1', w1, 'i.0.8');
    relay.event(socket, 'workflow:w1', 'node.started', 'i.0.9');

    const second = await relay.reconnect(socket);
    relay.respond(second, await relay.request(second, 'subscribe', 1), { status: 'subscribed', channel: 'global' });
    relay.respond(second, await relay.request(second, 'subscribe', 2),
      { status: 'subscribed', channel: 'workflow:w1', recovered: true });
    await until(() => w1.resumes.length === 1 && firehose.resumes.length === 1, 'both resumes');
    // Both workflows share a partition: w2's event goes out at once, w1's catch-up and held live event after it.
    relay.event(second, 'workflow:w2', 'node.started', 'i.0.12');
    relay.event(second, 'workflow:w1', 'node.started', 'i.0.10');
    relay.event(second, 'workflow:w1', 'node.completed', 'i.0.11');

    assert.deepEqual(w1.events, ['i.0.9', 'i.0.10', 'i.0.11']);
    assert.deepEqual(firehose.events,
      ['workflow:w1@i.0.9', 'workflow:w2@i.0.12', 'workflow:w1@i.0.10', 'workflow:w1@i.0.11']);
  });

  test('fetches a fresh token from the provider for every connection', async () => {
    let issued = 0;
    const { relay, socket } = await connected({ token: async () => 'token-' + ++issued });

    relay.drop(socket, 4001, 'token expired');
    const second = await relay.socket(2);
    relay.welcome(second);

    assert.equal(socket.url.searchParams.get('token'), 'token-1');
    assert.equal(second.url.searchParams.get('token'), 'token-2');
  });

  test('a token provider that does not answer times out within connectTimeoutMs', { timeout: 2000 }, async () => {
    const relay = new FakeRelay();
    const client = new RelayClient({ url: 'ws://relay.test/ws', WebSocket: relay.WebSocket, connectTimeoutMs: 20,
      token: () => new Promise(() => {}) });
    clients.push(client);

    await assert.rejects(client.connect(), (error) => error.code === 'TIMEOUT' && /token provider/.test(error.message));
    assert.equal(client.state, 'idle');
    assert.equal(relay.sockets.length, 0);
  });

  test('a token provider that fails while reconnecting counts as a failed attempt, and the next one goes on', async () => {
    const errors = [];
    let calls = 0;
    const { relay, socket } = await connected({
      token: async () => {
        if (++calls === 2) {
          throw new Error('identity provider down');
        }
        return 'token-' + calls;
      },
      onStateChange: (state, detail) => detail?.error && errors.push(detail.error.message),
    });

    relay.drop(socket);
    relay.welcome(await relay.socket(2));

    assert.deepEqual(errors, ['identity provider down']);
    assert.equal(relay.sockets[1].url.searchParams.get('token'), 'token-3');
  });

  test('keeps trying while the relay is away, and gives up after maxAttempts', async () => {
    const states = [];
    const { relay, client, socket } = await connected({
      reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
      onStateChange: (state) => states.push(state),
    });

    relay.drop(socket);
    const waiting = assert.rejects(client.request('ping'),
      (error) => error.code === 'CONNECTION_LOST' && /gave up/.test(error.message));
    for (let attempt = 2; attempt <= 4; attempt++) {
      relay.drop(await relay.socket(attempt));
    }
    await until(() => client.state === 'closed', 'the client to give up');

    assert.equal(relay.sockets.length, 4);
    assert.deepEqual(states.filter((state, i) => state !== states[i - 1]), ['connecting', 'open', 'reconnecting', 'closed']);
    await waiting;
  });

  test('an onStateChange that throws does not stop reconnecting; its error goes to onError', async () => {
    const errors = [];
    const { relay, client, socket } = await connected({
      onStateChange: (state) => {
        if (state === 'reconnecting') {
          throw new Error('listener bug');
        }
      },
      onError: (error) => errors.push(error.message),
    });

    relay.drop(socket);
    relay.welcome(await relay.socket(2));

    assert.equal(client.state, 'open');
    assert.deepEqual(errors, ['listener bug']);
  });

  test('a re-subscribe the relay refuses ends that subscription and tells its handler', async () => {
    const { relay, client, socket } = await connected();
    const errors = [];
    await subscribed(relay, socket, client, 'workflow:w1', { onEvent: () => {}, onError: (error) => errors.push(error) });

    const second = await relay.reconnect(socket);
    relay.fail(second, await relay.request(second, 'subscribe'), 'FORBIDDEN', "token does not cover 'workflow:w1'");
    await until(() => errors.length === 1, 'the refusal');
    const again = client.subscribe('workflow:w1', () => {});
    relay.respond(second, await relay.request(second, 'subscribe', 2), { status: 'subscribed', channel: 'workflow:w1' });

    assert.equal(errors[0].code, 'FORBIDDEN');
    await again;
    assert.equal(second.closedWith, undefined);
  });

  test('a connection that cannot take the subscriptions again is dropped and tried again later', async () => {
    const { relay, client, socket } = await connected();
    await subscribed(relay, socket, client, 'workflow:w1', () => {});

    const second = await relay.reconnect(socket);
    relay.fail(second, await relay.request(second, 'subscribe'), 'RATE_LIMITED', 'slow down');
    const third = await relay.socket(3);
    relay.welcome(third);

    assert.equal(second.closedWith.code, 4000);
    assert.deepEqual((await relay.request(third, 'subscribe')).data, { channel: 'workflow:w1', since: 'inc.1.9' });
  });

  test('a re-subscribe waits longer than a request: a busy relay answers it late on the same connection', async () => {
    const { relay, client, socket } = await connected({ requestTimeoutMs: 5, resubscribeTimeoutMs: 60_000 });
    const { resumes, ...handler } = recorder();
    await subscribed(relay, socket, client, 'workflow:w1', handler);

    const second = await relay.reconnect(socket);
    const resume = await relay.request(second, 'subscribe');
    // Outlasts the request timeout: a ping sent after the subscribe times out.
    const ping = client.request('ping', {}, { timeoutMs: 20 });
    await assert.rejects(ping, (error) => error.code === 'TIMEOUT');
    relay.respond(second, resume, { status: 'subscribed', channel: 'workflow:w1', recovered: true });
    await until(() => resumes.length === 1, 'the resume');

    assert.deepEqual(resumes, [{ recovered: true }]);
    assert.equal(second.closedWith, undefined);
  });

  test('a re-subscribe that gets no answer keeps the connection and the subscription, and says so', async () => {
    const errors = [];
    const { relay, client, socket } = await connected({ resubscribeTimeoutMs: 5, onError: (error) => errors.push(error) });
    const { events, ...handler } = recorder();
    await subscribed(relay, socket, client, 'workflow:w1', handler);

    const second = await relay.reconnect(socket);
    await until(() => errors.length === 1, 'the timeout');
    relay.event(second, 'workflow:w1', 'node.started', 'inc.1.10');

    assert.equal(errors[0].code, 'TIMEOUT');
    assert.match(errors[0].message, /workflow:w1/);
    assert.equal(second.closedWith, undefined);
    assert.equal(client.state, 'open');
    assert.deepEqual(events, ['inc.1.10']);
  });

  test('with pingIntervalMs, a connection that stops answering pings is dropped and the client reconnects', async () => {
    const states = [];
    const { relay, client, socket } = await connected({ pingIntervalMs: 5, requestTimeoutMs: 10,
      onStateChange: (state, detail) => states.push(state + (detail?.code ? ' ' + detail.code : '')) });

    relay.respond(socket, await relay.request(socket, 'ping', 1), { status: 'pong' });
    await relay.request(socket, 'ping', 2);
    relay.welcome(await relay.socket(2));

    assert.deepEqual(socket.closedWith, { code: 4002, reason: 'no answer to ping' });
    assert.deepEqual(states, ['connecting', 'open', 'reconnecting 4002', 'open']);
    assert.equal(client.state, 'open');
  });

  test('close() stops reconnecting and fails what waits', async (t) => {
    const { relay, client, socket } = await connected({ reconnect: { initialDelayMs: 50, maxDelayMs: 50 } });
    t.mock.timers.enable({ apis: ['setTimeout'] });

    relay.drop(socket);
    const waiting = client.request('ping');
    client.close();

    await assert.rejects(waiting, (error) => error.code === 'CLOSED');
    await assert.rejects(client.connect(), (error) => error.code === 'CLOSED');
    // Past the reconnect delay: a reconnect still scheduled would open a socket now.
    t.mock.timers.tick(60_000);
    assert.equal(relay.sockets.length, 1);
  });
});

describe('reconnectDelay', () => {
  test('doubles from the initial delay up to the cap, with at least half of each step', () => {
    const lowest = [0, 1, 2, 3, 10].map((attempt) => reconnectDelay(attempt, 100, 1000, () => 0));
    const highest = [0, 1, 2, 3, 10].map((attempt) => reconnectDelay(attempt, 100, 1000, () => 1));

    assert.deepEqual(lowest, [50, 100, 200, 400, 500]);
    assert.deepEqual(highest, [100, 200, 400, 800, 1000]);
  });

  test('spreads clients that reconnect together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => reconnectDelay(5, 100, 30_000)));

    assert.ok(delays.size > 15, `20 clients picked only ${delays.size} different delays`);
  });
});
