import { reconnectDelay } from './backoff.js';
import { RelayError } from './errors.js';
import { isAfter } from './position.js';
import type { Channel, EventFrame, Requests, RequestType, ServerFrame, SubscribeResponse } from './protocol.js';

/** What the client needs of a WebSocket: the browser's, Node 22's global one, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class, such as `globalThis.WebSocket` or `WebSocket` from the `ws` package. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The event-handler properties the client sets; typed loosely so that every implementation above fits. */
interface Socket extends WebSocketLike {
  onmessage: ((message: { data: unknown }) => void) | null;
  onclose: ((close: { code: number; reason: string }) => void) | null;
  onerror: (() => void) | null;
}

/**
 * A token, or a function that fetches a fresh one: it is called before every connection, reconnects included, and
 * must answer within `connectTimeoutMs`; failing or late, it counts as a failed attempt. A token the relay refuses
 * (HTTP 401 at the upgrade) looks like a relay that is away (close code 1006): `reconnect.maxAttempts` bounds the tries.
 */
export type TokenSource = string | (() => Promise<string>);

export interface RelayClientOptions {
  /** The relay's canonical endpoint, such as `ws://127.0.0.1:8080/ws`. */
  url: string;
  /** Sent as the `token` query parameter (browsers cannot set headers on a WebSocket). */
  token?: TokenSource;
  /** The WebSocket class; defaults to the global one. Node 20 has none: pass `WebSocket` from the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** How long a request may wait for its answer, by default; 10 s. */
  requestTimeoutMs?: number;
  /** How long subscribing again after a reconnect may wait for its answer; 60 s. Longer than a request's, because
   * after a relay restart every client resumes at once and the relay answers resumes in turn from Kafka. */
  resubscribeTimeoutMs?: number;
  /** When set, a `ping` is sent this often while open; one not answered within `requestTimeoutMs` drops the
   * connection (a peer that vanished without closing it) and the client reconnects. Off by default. */
  pingIntervalMs?: number;
  /** How long opening a connection may take, from asking the token provider up to the relay's welcome; 10 s. */
  connectTimeoutMs?: number;
  /** Reconnecting after the connection drops: the first delay (100 ms), the longest (30 s), how many attempts in a row
   * before giving up and closing the client (unlimited). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
  /** Told whenever the connection's state changes, with the close code and reason of a lost connection. What it
   * throws goes to onError. */
  onStateChange?: (state: ConnectionState, detail?: StateDetail) => void;
  /**
   * Errors nothing else receives: error frames that answer no waiting request (the relay's late refusal of a
   * workflow id already taken, an answer that came after its request timed out, `RATE_LIMITED` without a request id)
   * and what a subscription's handler or onStateChange threw. Without it, they are logged with `console.error`.
   */
  onError?: (error: Error) => void;
}

/** What onStateChange is told with a state: the close code and reason of a lost connection, or the error. */
export interface StateDetail {
  code?: number;
  reason?: string;
  error?: Error;
}

/** idle: not connected yet; connecting: the first connect(); open; reconnecting: lost, trying again; closed: for good. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** How a subscription continued after the client subscribed again from the last event it had. */
export interface Resume {
  /** True when every event after the last one received follows; false when some are lost. */
  recovered: boolean;
  /** When not recovered, why (the retention deleted them, or `global`, which cannot resume). */
  reason?: string;
}

/** Receives a channel's events, once each and in order, across reconnects. */
export interface SubscriptionHandler {
  onEvent(event: EventFrame): void;
  /** The client subscribed again from the last event (after a reconnect, or a subscribe with `since`). */
  onResumed?(resume: Resume): void;
  /** The relay refused to subscribe again after a reconnect (the new token no longer allows the channel, say): the
   * subscription has ended. */
  onError?(error: RelayError): void;
}

export interface SubscribeOptions {
  /** The `pos` of the last event already seen: the channel's events after it come first, then live ones. Not for
   * `global`, which cannot resume. */
  since?: string;
}

/** A channel followed across reconnects until unsubscribed or the client is closed. */
export interface Subscription {
  readonly channel: Channel;
  /** The resume point: the last event's `pos`, or the channel's position when subscribed. */
  readonly lastPos: string | undefined;
  /** Stops the handler at once, then tells the relay; resolves when it answered or the connection is gone. */
  unsubscribe(): Promise<void>;
}

export interface RequestOptions {
  /** The request's id, 1 to 128 characters: sent again with the same id, a request is the same command and runs once. */
  id?: string;
  /** How long to wait for the answer, including for a connection while reconnecting. */
  timeoutMs?: number;
}

interface Pending {
  readonly frame: string;
  readonly resolve: (data: unknown) => void;
  readonly reject: (error: Error) => void;
  sent: boolean;
}

interface Replay {
  /** The replay request's id: replay.completed answers it. */
  readonly id: string;
  readonly handler: (event: EventFrame) => void;
  readonly resolve: (result: { count: number }) => void;
  readonly reject: (error: Error) => void;
}

const GLOBAL = 'global';
const GLOBAL_CANNOT_RESUME = 'global cannot resume: events published while disconnected are missed';
const NO_POSITION = 'the relay gave no position to resume from: events published while disconnected are missed';
/** The close code the client uses when it drops a connection that could not take its subscriptions again. */
const RESUBSCRIBE_FAILED = 4000;
/** The close code the client uses when it drops a connection that did not answer its ping. */
const PING_UNANSWERED = 4002;

/**
 * A client of Agent Relay's canonical protocol, the same in browsers and Node 20+.
 *
 * ```ts
 * const client = new RelayClient({ url: 'ws://127.0.0.1:8080/ws' });
 * await client.connect();
 * const sub = await client.subscribe('workflow:w1', (event) => console.log(event.event, event.data));
 * const answer = await client.request('execute_workflow', { workflow_id: 'w1', nodes: [...] });
 * ```
 *
 * When the connection drops it reconnects with exponential backoff and jitter (fetching a fresh token from the token
 * function), subscribes to every channel again from the last event its handler received, and tells the handler
 * whether that resume was complete. Requests made while it reconnects wait for the connection, within their timeout;
 * requests in flight when it dropped fail with `CONNECTION_LOST`, and are safe to send again with the same id.
 */
export class RelayClient {
  readonly #url: string;
  readonly #token: TokenSource | undefined;
  readonly #WebSocket: WebSocketConstructor;
  readonly #requestTimeoutMs: number;
  readonly #resubscribeTimeoutMs: number;
  readonly #pingIntervalMs: number | undefined;
  readonly #connectTimeoutMs: number;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxAttempts: number;
  readonly #onStateChange: RelayClientOptions['onStateChange'];
  readonly #onError: RelayClientOptions['onError'];

  readonly #pending = new Map<string, Pending>();
  readonly #subscriptions = new Map<Channel, ChannelSubscription>();
  readonly #replays = new Map<Channel, Replay>();
  #openWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #state: ConnectionState = 'idle';
  #socket: Socket | undefined;
  #connectionId: string | undefined;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RelayClientOptions) {
    this.#url = endpoint(options.url);
    this.#token = options.token;
    const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (WebSocketClass === undefined) {
      throw new TypeError('no WebSocket class: this runtime has no global WebSocket; pass one as the WebSocket option '
        + "(on Node 20, WebSocket from the 'ws' package)");
    }
    this.#WebSocket = WebSocketClass;
    this.#requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 10_000);
    this.#resubscribeTimeoutMs = positive('resubscribeTimeoutMs', options.resubscribeTimeoutMs ?? 60_000);
    this.#pingIntervalMs = options.pingIntervalMs === undefined ? undefined
      : positive('pingIntervalMs', options.pingIntervalMs);
    this.#connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? 10_000);
    this.#initialDelayMs = positive('reconnect.initialDelayMs', options.reconnect?.initialDelayMs ?? 100);
    this.#maxDelayMs = positive('reconnect.maxDelayMs', options.reconnect?.maxDelayMs ?? 30_000);
    this.#maxAttempts = positive('reconnect.maxAttempts', options.reconnect?.maxAttempts ?? Infinity);
    if (this.#maxDelayMs < this.#initialDelayMs) {
      throw new RangeError(`reconnect.maxDelayMs ${this.#maxDelayMs} is shorter than initialDelayMs ${this.#initialDelayMs}`);
    }
    this.#onStateChange = options.onStateChange;
    this.#onError = options.onError;
  }

  /** The connection's state now. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The relay's id for the current connection, from its welcome. */
  get connectionId(): string | undefined {
    return this.#connectionId;
  }

  /**
   * Connects and waits for the relay's welcome. Rejects when that fails (the client stays usable: call it again);
   * once connected, the client reconnects by itself.
   */
  async connect(): Promise<void> {
    switch (this.#state) {
      case 'open':
        return;
      case 'closed':
        throw new RelayError('CLOSED', 'the client is closed');
      case 'connecting':
      case 'reconnecting':
        return new Promise((resolve, reject) => this.#openWaiters.push({ resolve, reject }));
      case 'idle':
        this.#setState('connecting');
        try {
          await this.#open();
        } catch (error) {
          if (this.state === 'connecting') {
            this.#setState('idle');
            this.#openWaiters.splice(0).forEach((waiter) => waiter.reject(error as Error));
            // Requests made meanwhile waited for this connection.
            for (const [id, pending] of this.#pending) {
              this.#pending.delete(id);
              pending.reject(new RelayError('NOT_CONNECTED', `not connected: ${(error as Error).message}`));
            }
          }
          throw error;
        }
    }
  }

  /**
   * Subscribes to a channel. Resolves once the relay confirmed it, from then on the client keeps it across reconnects
   * and the handler gets each event once, in order. Rejects with the relay's error (the subscription is not kept).
   *
   * @param channel `<namespace>:<id>`, or `global` for every channel the token allows (live only: after a reconnect
   *                it cannot resume, and the handler's `onResumed` says so)
   * @param handler the events' handler, or an object that is also told about resumes and a refused re-subscribe
   */
  async subscribe(channel: Channel, handler: ((event: EventFrame) => void) | SubscriptionHandler,
                  options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.#subscriptions.has(channel)) {
      throw new Error(`already subscribed to ${channel}`);
    }
    if (channel === GLOBAL && options.since !== undefined) {
      throw new Error(`${GLOBAL_CANNOT_RESUME}: subscribe to it without since`);
    }
    const subscription = new ChannelSubscription(channel,
      typeof handler === 'function' ? { onEvent: handler } : handler, options.since,
      (ended) => this.#unsubscribe(ended), (error) => this.#report(error));
    // Kept before the answer, because the channel's first events may come before it.
    this.#subscriptions.set(channel, subscription);
    try {
      const request = subscription.request();
      subscription.subscribed(await this.#call('subscribe', request, {}) as SubscribeResponse, request);
      return subscription;
    } catch (error) {
      this.#forget(subscription);
      throw error;
    }
  }

  /**
   * Sends a request and resolves with its response's `data`; rejects with a {@link RelayError}: the relay's error
   * frame, `TIMEOUT`, `CONNECTION_LOST` (it may have been carried out: send it again with the same `id`),
   * `NOT_CONNECTED` before `connect()`, or `CLOSED`.
   */
  request<T extends RequestType>(type: T, ...args: undefined extends Requests[T]['data']
    ? [data?: Requests[T]['data'], options?: RequestOptions]
    : [data: Requests[T]['data'], options?: RequestOptions]): Promise<Requests[T]['response']>;
  /** A request these types do not know: its response's data is `unknown`. */
  request<T extends string>(type: T extends RequestType ? never : T, data?: object,
                            options?: RequestOptions): Promise<unknown>;
  request(type: string, data: object = {}, options: RequestOptions = {}): Promise<unknown> {
    return this.#call(type, data, options);
  }

  /**
   * Sends a channel's past events between two points to `handler` (frames with `replayed: true`), beside and never
   * into the channel's subscription, and resolves with their count once the relay sent them all. Rejects with the
   * relay's error, or `CONNECTION_LOST` when the connection drops before the end (replay again from the last `pos`
   * received). One replay per channel at a time: the relay marks replayed events with their channel, not the request.
   *
   * @param range `from` and `to` (inclusive; `to` defaults to now) are ISO-8601 times or `pos` strings; `speed` 0
   *              (the default) sends as fast as the socket takes them, 1 at the original pace
   */
  async replay(channel: Channel, range: Omit<Requests['replay']['data'], 'channel'>,
               handler: (event: EventFrame) => void, options: RequestOptions = {}): Promise<{ count: number }> {
    if (this.#replays.has(channel)) {
      throw new Error(`a replay of ${channel} is still running`);
    }
    const id = options.id ?? newId();
    return new Promise((resolve, reject) => {
      const replay: Replay = { id, handler, resolve, reject };
      this.#replays.set(channel, replay);
      this.#call('replay', { ...range, channel }, { ...options, id }).catch((error: Error) => {
        if (this.#replays.get(channel) === replay) {
          this.#replays.delete(channel);
        }
        reject(error);
      });
    });
  }

  /** Closes the connection and stops reconnecting; waiting requests fail with `CLOSED`. */
  close(): void {
    this.#shutdown(new RelayError('CLOSED', 'the client was closed'));
  }

  #call(type: string, data: object, options: RequestOptions): Promise<unknown> {
    const id = options.id ?? newId();
    const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs;
    if (this.#state === 'idle' || this.#state === 'closed') {
      return Promise.reject(this.#state === 'closed'
        ? new RelayError('CLOSED', 'the client is closed')
        : new RelayError('NOT_CONNECTED', 'not connected: call connect() first'));
    }
    if (id.length < 1 || id.length > 128) {
      // The relay replaces an empty id and cuts a longer one: its answer would match no request.
      return Promise.reject(new RangeError(`a request id must be 1 to 128 characters, not ${id.length}`));
    }
    if (this.#pending.has(id)) {
      return Promise.reject(new Error(`a request with id '${id}' is already waiting for its answer`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new RelayError('TIMEOUT', `no answer to ${type} '${id}' within ${timeoutMs} ms; `
          + 'send it again with the same id to retry it as the same command'));
      }, timeoutMs);
      const pending: Pending = {
        frame: JSON.stringify({ type: 'request', id, event: type, data }),
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
        sent: false,
      };
      this.#pending.set(id, pending);
      if (this.#state === 'open') {
        this.#send(pending);
      }
    });
  }

  #send(pending: Pending): void {
    pending.sent = true;
    this.#socket?.send(pending.frame);
  }

  /** Opens a socket and resolves once the relay's welcome arrived; the socket is then the client's connection. */
  async #open(): Promise<void> {
    const deadline = Date.now() + this.#connectTimeoutMs;
    const token = typeof this.#token === 'function' ? await this.#fetchToken(this.#token) : this.#token;
    if (this.#state === 'closed') {
      throw new RelayError('CLOSED', 'the client was closed');
    }
    const socket = new this.#WebSocket(withToken(this.#url, token)) as Socket;
    this.#socket = socket;
    await new Promise<void>((resolve, reject) => {
      const fail = (error: RelayError) => {
        clearTimeout(timer);
        socket.onmessage = socket.onclose = null;
        // Kept: the ws package reports closing a socket that is still connecting as an error, fatal without a handler.
        socket.onerror = () => {};
        if (this.#socket === socket) {
          this.#socket = undefined;
        }
        socket.close();
        reject(error);
      };
      const timer = setTimeout(() => fail(new RelayError('TIMEOUT',
        `no welcome from ${this.#url} within ${this.#connectTimeoutMs} ms`)), deadline - Date.now());
      socket.onmessage = (message) => {
        const frame = parse(message.data);
        if (frame?.type === 'event' && frame.event === 'session.created') {
          if (this.#state === 'closed' || this.#socket !== socket) {
            // close() came first: the welcome must not bring back a client closed for good.
            fail(new RelayError('CLOSED', 'the client was closed'));
            return;
          }
          clearTimeout(timer);
          this.#attach(socket, (frame.data as { connection_id?: string }).connection_id);
          resolve();
        }
      };
      socket.onclose = (close) => fail(new RelayError(this.#state === 'closed' ? 'CLOSED' : 'CONNECTION_LOST',
        `cannot connect to ${this.#url}: closed with ${close.code}${close.reason ? ' ' + close.reason : ''}`));
      // A failed connection also closes, with 1006: that is where it is handled.
      socket.onerror = () => {};
    });
  }

  /** The provider's token, within the connect timeout: a provider that never answers must not stall reconnecting. */
  #fetchToken(provider: () => Promise<string>): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new RelayError('TIMEOUT',
        `the token provider gave no token within ${this.#connectTimeoutMs} ms`)), this.#connectTimeoutMs);
      Promise.resolve().then(provider).then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  #attach(socket: Socket, connectionId: string | undefined): void {
    this.#connectionId = connectionId;
    socket.onmessage = (message) => this.#receive(message.data);
    socket.onclose = (close) => this.#lost(socket, close.code, close.reason);
    socket.onerror = () => {};
    const resumes = [...this.#subscriptions.values()].filter((subscription) => subscription.confirmed);
    this.#setState('open');
    for (const pending of this.#pending.values()) {
      if (!pending.sent) {
        this.#send(pending);
      }
    }
    this.#openWaiters.splice(0).forEach((waiter) => waiter.resolve());
    void this.#resubscribe(socket, resumes);
    this.#schedulePing(socket);
  }

  /** Liveness: a connection whose peer is gone without a close can look open for minutes. */
  #schedulePing(socket: Socket): void {
    if (this.#pingIntervalMs === undefined) {
      return;
    }
    this.#pingTimer = setTimeout(() => {
      this.#call('ping', {}, {}).then(() => {
        if (this.#socket === socket) {
          this.#schedulePing(socket);
        }
      }, (error: Error) => {
        if (this.#socket === socket && error instanceof RelayError && error.code === 'TIMEOUT') {
          socket.close(PING_UNANSWERED, 'no answer to ping');
          // Not waiting for the close handshake, which a vanished peer never completes.
          this.#lost(socket, PING_UNANSWERED, 'no answer to ping');
        }
      });
    }, this.#pingIntervalMs);
  }

  /**
   * Subscribes every channel again from where its handler got to. A connection the relay refuses them on for now
   * (busy or unavailable) is dropped, to try again after a backoff that only a full success resets. One that gets no
   * answer in time is kept: the relay is slow, not refusing, and a new connection would only queue the resume again.
   */
  async #resubscribe(socket: Socket, subscriptions: ChannelSubscription[]): Promise<void> {
    const outcomes = await Promise.all(subscriptions.map(async (subscription) => {
      try {
        const request = subscription.request();
        subscription.resumed(await this.#call('subscribe', request, { timeoutMs: this.#resubscribeTimeoutMs }) as
          SubscribeResponse, request);
        return 'settled';
      } catch (error) {
        if (this.#subscriptions.get(subscription.channel) !== subscription) {
          // Unsubscribed meanwhile, or the client closed: nothing left to resume.
          return 'settled';
        }
        if (error instanceof RelayError && error.code === 'TIMEOUT') {
          this.#report(new RelayError('TIMEOUT', `no answer to subscribing again to ${subscription.channel} within `
            + `${this.#resubscribeTimeoutMs} ms; the subscription is kept and its events are handed over as they come`));
          return 'unanswered';
        }
        if (error instanceof RelayError && !error.retriable) {
          this.#forget(subscription);
          subscription.refused(error);
          return 'settled';
        }
        return 'failed';
      }
    }));
    if (outcomes.every((outcome) => outcome === 'settled')) {
      this.#attempt = 0;
    } else if (outcomes.includes('failed') && this.#socket === socket) {
      socket.close(RESUBSCRIBE_FAILED, 'could not subscribe again');
    }
  }

  #receive(raw: unknown): void {
    const frame = parse(raw);
    if (frame === undefined) {
      return;
    }
    if (frame.type === 'event') {
      this.#route(frame);
      return;
    }
    const pending = frame.correlation_id === undefined ? undefined : this.#pending.get(frame.correlation_id);
    if (pending !== undefined) {
      this.#pending.delete(frame.correlation_id!);
    }
    if (frame.type === 'response') {
      pending?.resolve(frame.data);
    } else if (frame.type === 'error') {
      const error = RelayError.fromFrame(frame);
      if (pending !== undefined) {
        pending.reject(error);
      } else {
        this.#report(error);
      }
    }
  }

  #route(frame: EventFrame): void {
    // A replay's events are answers to one request, not the channel's stream; they would upset its positions.
    if (frame.replayed) {
      this.#replayed(frame);
      return;
    }
    const subscription = this.#subscriptions.get(frame.room);
    subscription?.deliver(frame);
    const firehose = this.#subscriptions.get(GLOBAL);
    if (firehose !== undefined && firehose !== subscription) {
      firehose.deliver(frame);
    }
  }

  #replayed(frame: EventFrame): void {
    const replay = this.#replays.get(frame.room);
    if (replay === undefined) {
      return;
    }
    if (frame.event === 'replay.completed' && frame.correlation_id === replay.id) {
      this.#replays.delete(frame.room);
      replay.resolve({ count: (frame.data as { count: number }).count });
      return;
    }
    try {
      replay.handler(frame);
    } catch (error) {
      this.#report(error);
    }
  }

  /** Replays end with the connection that carried them. */
  #endReplays(error: RelayError): void {
    for (const replay of this.#replays.values()) {
      replay.reject(error);
    }
    this.#replays.clear();
  }

  #lost(socket: Socket, code: number, reason: string): void {
    if (this.#socket !== socket) {
      return;
    }
    this.#socket = undefined;
    clearTimeout(this.#pingTimer);
    for (const [id, pending] of this.#pending) {
      if (pending.sent) {
        this.#pending.delete(id);
        pending.reject(new RelayError('CONNECTION_LOST', `the connection closed (${code}${reason ? ' ' + reason : ''}) `
          + 'before the answer came; send the request again with the same id to retry it as the same command'));
      }
    }
    this.#endReplays(new RelayError('CONNECTION_LOST', `the connection closed (${code}${reason ? ' ' + reason : ''}) `
      + 'before the replay ended; replay again from the last pos received'));
    if (this.#state !== 'closed') {
      this.#setState('reconnecting', { code, reason });
      this.#scheduleReconnect();
    }
  }

  #scheduleReconnect(): void {
    if (this.#attempt >= this.#maxAttempts) {
      this.#shutdown(new RelayError('CONNECTION_LOST', `gave up reconnecting to ${this.#url} after `
        + `${this.#attempt} attempts`));
      return;
    }
    const delay = reconnectDelay(this.#attempt++, this.#initialDelayMs, this.#maxDelayMs);
    this.#reconnectTimer = setTimeout(() => {
      this.#open().catch((error: Error) => {
        if (this.#state === 'reconnecting') {
          this.#tellState('reconnecting', { error });
          this.#scheduleReconnect();
        }
      });
    }, delay);
  }

  #unsubscribe(subscription: ChannelSubscription): Promise<void> {
    if (!this.#forget(subscription) || this.#state !== 'open') {
      // A connection made later will not have it.
      return Promise.resolve();
    }
    // Whatever the answer, the handler gets nothing more; a relay that did not hear it forgets the channel with the
    // connection.
    return this.#call('unsubscribe', { channel: subscription.channel }, {}).then(() => undefined, () => undefined);
  }

  #forget(subscription: ChannelSubscription): boolean {
    if (this.#subscriptions.get(subscription.channel) !== subscription) {
      return false;
    }
    this.#subscriptions.delete(subscription.channel);
    return true;
  }

  #shutdown(error: RelayError): void {
    if (this.#state === 'closed') {
      return;
    }
    this.#setState('closed', { error });
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#pingTimer);
    this.#subscriptions.clear();
    for (const pending of this.#pending.values()) {
      pending.reject(error);
    }
    this.#pending.clear();
    this.#endReplays(error);
    this.#openWaiters.splice(0).forEach((waiter) => waiter.reject(error));
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, 'client closed');
  }

  /** A handler that throws must not stop the client: its error goes where the application wants it. */
  #report(error: unknown): void {
    const reported = error instanceof Error ? error : new Error(String(error));
    if (this.#onError !== undefined) {
      this.#onError(reported);
      return;
    }
    // Thrown, it would end a Node process: a late error frame is no reason for that.
    console.error('agent relay client:', reported);
  }

  #setState(state: ConnectionState, detail?: StateDetail): void {
    this.#state = state;
    this.#tellState(state, detail);
  }

  /** A listener that throws must not stop the client mid-transition (a reconnect not scheduled, say). */
  #tellState(state: ConnectionState, detail?: StateDetail): void {
    try {
      this.#onStateChange?.(state, detail);
    } catch (error) {
      this.#report(error);
    }
  }
}

/** One channel's handler and how far it got. */
class ChannelSubscription implements Subscription {
  readonly channel: Channel;
  readonly #handler: SubscriptionHandler;
  readonly #end: (subscription: ChannelSubscription) => Promise<void>;
  readonly #fail: (error: unknown) => void;
  readonly #global: boolean;
  #lastPos: string | undefined;
  /** Whether the relay confirmed it once: from then on reconnects take it along. */
  confirmed = false;

  constructor(channel: Channel, handler: SubscriptionHandler, since: string | undefined,
              end: (subscription: ChannelSubscription) => Promise<void>, fail: (error: unknown) => void) {
    this.channel = channel;
    this.#handler = handler;
    this.#global = channel === GLOBAL;
    this.#lastPos = since;
    this.#end = end;
    this.#fail = fail;
  }

  get lastPos(): string | undefined {
    return this.#lastPos;
  }

  unsubscribe(): Promise<void> {
    return this.#end(this);
  }

  /** The subscribe request's data: from the last position, except for the firehose, which has none. */
  request(): Requests['subscribe']['data'] {
    return this.#lastPos === undefined ? { channel: this.channel } : { channel: this.channel, since: this.#lastPos };
  }

  /** The answer to the application's subscribe(): a resume when it named a position. */
  subscribed(response: SubscribeResponse, request: Requests['subscribe']['data']): void {
    this.confirmed = true;
    this.#answered(response, request, request.since !== undefined);
  }

  /** The answer to subscribing again after a reconnect. */
  resumed(response: SubscribeResponse, request: Requests['subscribe']['data']): void {
    this.#answered(response, request, true);
  }

  #answered(response: SubscribeResponse, request: Requests['subscribe']['data'], resuming: boolean): void {
    let resume: Resume;
    if (request.since === undefined) {
      if (this.#lastPos === undefined && !this.#global) {
        // The channel's position now: a client that sees no event before a reconnect still resumes from here.
        this.#lastPos = response.pos;
      }
      resume = { recovered: false, reason: this.#global ? GLOBAL_CANNOT_RESUME : NO_POSITION };
    } else {
      resume = response.reason === undefined ? { recovered: response.recovered !== false }
        : { recovered: response.recovered !== false, reason: response.reason };
      if (!resume.recovered) {
        // What follows may start before the old position (the relay restarts from the partition's end when the
        // position lay ahead of it): every event from here on is new to this handler.
        this.#lastPos = undefined;
      }
    }
    if (resuming) {
      this.#report(() => this.#handler.onResumed?.(resume));
    }
  }

  refused(error: RelayError): void {
    this.#report(() => this.#handler.onError?.(error));
  }

  deliver(frame: EventFrame): void {
    if (!this.#global && frame.pos !== undefined && !this.#isNew(frame.pos)) {
      return;
    }
    this.#report(() => this.#handler.onEvent(frame));
  }

  /**
   * Drops what a resume sent again; moves the resume point on. Not for `global`: it never resumes, so nothing comes
   * twice, and its order across channels is not Kafka's (the relay holds a resuming channel's live events back until
   * its catch-up was sent, while other channels' go out at once).
   */
  #isNew(pos: string): boolean {
    if (this.#lastPos !== undefined && !isAfter(pos, this.#lastPos)) {
      return false;
    }
    this.#lastPos = pos;
    return true;
  }

  #report(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#fail(error);
    }
  }
}

function endpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`url '${url}' is not a URL; expected one such as ws://127.0.0.1:8080/ws`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new TypeError(`url '${url}' is not a WebSocket URL (ws:// or wss://)`);
  }
  return url;
}

function withToken(url: string, token: string | undefined): string {
  if (token === undefined || token === '') {
    return url;
  }
  const withQuery = new URL(url);
  withQuery.searchParams.set('token', token);
  return withQuery.toString();
}

function positive(name: string, value: number): number {
  if (!(value > 0)) {
    throw new RangeError(`${name} must be positive, but was ${value}`);
  }
  return value;
}

/** The relay sends text frames of JSON objects; `ws` hands text over as a Buffer-backed string or a Buffer. */
function parse(raw: unknown): ServerFrame | undefined {
  try {
    const frame: unknown = JSON.parse(typeof raw === 'string' ? raw : String(raw));
    return typeof frame === 'object' && frame !== null ? frame as ServerFrame : undefined;
  } catch {
    return undefined;
  }
}

/** A random request id; crypto.randomUUID exists only in secure contexts, getRandomValues everywhere. */
function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
