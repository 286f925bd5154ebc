import type { ErrorFrame, RelayErrorCode } from './protocol.js';

/**
 * Codes of failures the client itself detects: no answer in time, the connection gone before the answer came, a
 * request while never connected, or the client closed.
 */
export type ClientErrorCode = 'TIMEOUT' | 'CONNECTION_LOST' | 'NOT_CONNECTED' | 'CLOSED';

/** Codes after which sending the same request again (with the same id) may succeed. */
const RETRIABLE: ReadonlySet<string> = new Set(['RATE_LIMITED', 'UNAVAILABLE', 'SERVER_ERROR', 'TIMEOUT',
  'CONNECTION_LOST']);

/** A request failed: the relay answered with an error frame, or the client gave up waiting for its answer. */
export class RelayError extends Error {
  /** The relay's error code, or the client's own. */
  readonly code: RelayErrorCode | ClientErrorCode;

  constructor(code: RelayErrorCode | ClientErrorCode, message: string) {
    super(message);
    this.name = 'RelayError';
    this.code = code;
  }

  /**
   * Whether the same request may succeed when sent again. Send it with the same `id`: the relay then treats it as the
   * same command, and executors carry it out once.
   */
  get retriable(): boolean {
    return RETRIABLE.has(this.code);
  }

  /** The error an error frame reports. */
  static fromFrame(frame: ErrorFrame): RelayError {
    return new RelayError(frame.error_code, frame.error_message);
  }
}
