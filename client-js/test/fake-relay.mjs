// An in-process stand-in for a relay's sockets, for the unit tests of reconnecting and resuming: each socket the
// client opens is recorded, and the test plays the relay's part on it (welcome, answers, events, drops).

export class FakeRelay {
  sockets = [];

  constructor() {
    const relay = this;
    this.WebSocket = class FakeSocket {
      constructor(url) {
        this.url = new URL(url);
        this.readyState = 0;
        this.sent = [];
        this.closedWith = undefined;
        relay.sockets.push(this);
      }

      send(text) {
        if (this.readyState !== 1) {
          throw new Error('send on a socket that is not open');
        }
        this.sent.push(JSON.parse(text));
      }

      close(code = 1000, reason = '') {
        if (this.readyState === 3) {
          return;
        }
        this.closedWith = { code, reason };
        this.readyState = 3;
        queueMicrotask(() => this.onclose?.({ code, reason }));
      }
    };
  }

  /** The socket opened last, once there are `count` of them. */
  async socket(count) {
    await until(() => this.sockets.length >= count, `socket #${count} opened`);
    return this.sockets[count - 1];
  }

  /** Opens the socket and sends the relay's welcome. */
  welcome(socket, connectionId = 'conn-' + this.sockets.indexOf(socket)) {
    socket.readyState = 1;
    socket.onopen?.({});
    this.send(socket, {
      type: 'event', event: 'session.created', room: 'conn:' + connectionId,
      data: { connection_id: connectionId, server: 'agent-relay', node: 'relay-0' },
    });
  }

  send(socket, frame) {
    socket.onmessage({ data: JSON.stringify(frame) });
  }

  /** The request named `event` the client sent on the socket, the `nth` of them (1 for the first). */
  async request(socket, event, nth = 1) {
    await until(() => socket.sent.filter((frame) => frame.event === event).length >= nth, `${event} #${nth} sent`);
    return socket.sent.filter((frame) => frame.event === event)[nth - 1];
  }

  respond(socket, request, data) {
    this.send(socket, { type: 'response', id: 'r-' + request.id, correlation_id: request.id, event: request.event, data });
  }

  fail(socket, request, code, message) {
    this.send(socket, { type: 'error', id: 'e-' + request.id, correlation_id: request.id, error_code: code,
      error_message: message });
  }

  event(socket, room, event, pos, data = {}) {
    this.send(socket, { type: 'event', id: 'ev-' + pos, event, room, pos, data, timestamp: new Date().toISOString() });
  }

  /** Drops the socket and welcomes the client's next one. */
  async reconnect(socket) {
    this.drop(socket);
    const next = await this.socket(this.sockets.length + 1);
    this.welcome(next);
    return next;
  }

  /** The connection ends without a close frame, as when a relay dies. */
  drop(socket, code = 1006, reason = '') {
    socket.readyState = 3;
    socket.onclose?.({ code, reason });
  }
}

/** Waits until `condition` holds, checking after each turn of the event loop; fails after two seconds. */
export async function until(condition, what = 'the condition') {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for ' + what);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
