export { RelayClient } from './client.js';
export type {
  ConnectionState,
  RelayClientOptions,
  RequestOptions,
  Resume,
  StateDetail,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
  TokenSource,
  WebSocketConstructor,
  WebSocketLike,
} from './client.js';
export { RelayError } from './errors.js';
export type { ClientErrorCode } from './errors.js';
export { isEvent } from './protocol.js';
export type * from './protocol.js';
