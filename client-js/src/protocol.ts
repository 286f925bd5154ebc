// The canonical WebSocket protocol of Agent Relay (/ws): the frames, the requests with their answers, and the events,
// as docs/asyncapi.yaml (the wire contract, checked against the relay in AsyncApiContractIT) defines them. Field names
// are the wire's snake_case, so that what a handler gets is exactly what the relay sent.

/** A channel: `<namespace>:<id>` (namespace workflow, session, panel, pool, worker or conn), or `global`. */
export type Channel = string;

/** Error codes the relay sends in `error` frames. */
export type RelayErrorCode =
  | 'PARSE_ERROR'
  | 'INVALID_REQUEST'
  | 'UNKNOWN_REQUEST'
  | 'INVALID_CHANNEL'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'PANEL_NOT_FOUND'
  | 'TOOL_NOT_FOUND'
  | 'EXECUTION_ERROR'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'SERVER_ERROR';

/** One node of a workflow: a tool call. */
export interface WorkflowNode {
  id: string;
  tool: string;
  params?: Record<string, unknown>;
}

/** A node as events carry it: `params` is always there, `{}` when the request gave none. */
export interface EventNode extends WorkflowNode {
  params: Record<string, unknown>;
}

/** `to` starts once `from` completed. */
export interface WorkflowEdge {
  from: string;
  to: string;
}

/** What each request takes (`data`) and what its response carries (`response`). */
export interface Requests {
  subscribe: {
    data: { channel: Channel; since?: string };
    response: SubscribeResponse;
  };
  unsubscribe: {
    data: { channel: Channel };
    response: { status: 'unsubscribed' | 'not_subscribed'; channel: Channel };
  };
  execute_workflow: {
    data: {
      /** Without it the relay names the workflow after the command id, so that a retry names the same one. */
      workflow_id?: string;
      nodes: WorkflowNode[];
      edges?: WorkflowEdge[];
      adapter?: string;
      prompt?: string;
      /** Past this many milliseconds the workflow fails with the reason. */
      deadline_ms?: number;
    };
    response: { status: 'accepted'; workflow_id: string; command_id: string; trace_id: string };
  };
  cancel_workflow: {
    data: { workflow_id: string };
    response: { status: 'accepted'; command_id: string; trace_id: string };
  };
  get_workflow_status: {
    data: { workflow_id: string };
    response: {
      workflow_id: string;
      status: 'running' | 'completed' | 'failed' | 'cancelled';
      stages_completed: number;
      total_stages: number;
      /** Each node's state: pending, running, completed or failed. */
      nodes: Record<string, 'pending' | 'running' | 'completed' | 'failed'>;
      error?: string;
    };
  };
  get_pool_status: {
    data: { pool_id: string };
    response: {
      pool_id: string;
      status: 'active' | 'inactive';
      workers: string[];
      active_workers: number;
      idle_workers: number;
    };
  };
  list_tools: {
    data: { pool_id: string };
    /** Built-in, plugged-in and MCP tools (`<server>/<tool>`) of the pool's executors. */
    response: { pool_id: string; tools: ToolDescription[] };
  };
  replay: {
    /** `from` and `to` are ISO-8601 times or `pos` strings, both inclusive; `speed` 0 is as fast as possible. */
    data: { channel: Channel; from: string; to?: string; speed?: number };
    response: { status: 'replaying'; channel: Channel; speed: number };
  };
  ping: {
    data?: Record<string, never>;
    response: { status: 'pong' };
  };
}

/** A tool an executor offers, as `list_tools` answers. */
export interface ToolDescription {
  name: string;
  description: string;
  /** The JSON Schema of the tool's `params`. */
  input_schema: Record<string, unknown>;
  idempotent: boolean;
}

/** A change a panel tool made to its panel's state. */
export interface StateMutation {
  op: 'set' | 'delete' | 'append';
  /** Dotted path into the panel's state. */
  path: string;
  value?: unknown;
}

/** A request name the relay knows. */
export type RequestType = keyof Requests;

/** The answer to `subscribe`: `pos` on a plain one, `recovered` (and `reason` when false) on a resume. */
export interface SubscribeResponse {
  status: 'subscribed';
  channel: Channel;
  /** The channel's position at the moment of subscribing: where a client that has seen no event resumes from. */
  pos?: string;
  /** With `since`: whether the events right after it were all still there. */
  recovered?: boolean;
  /** With `recovered: false`: why not, such as the retention having deleted older events. */
  reason?: string;
}

/** The data of each event the executors and the relay publish. */
export interface Events {
  'session.created': { connection_id: string; server: 'agent-relay'; node: string; message: string };
  'workflow.started': {
    workflow_id: string;
    total_nodes: number;
    nodes: EventNode[];
    edges: WorkflowEdge[];
    adapter?: string;
    prompt?: string;
    /** The executor that started it, and the trace id its steps continue (absent on older events). */
    worker_id?: string;
    trace_id?: string;
  };
  'node.started': {
    workflow_id: string;
    node_id: string;
    tool: string;
    attempt: number;
    /** The executor that runs it, and the trace id of its step (absent on events older than these fields). */
    worker_id?: string;
    trace_id?: string;
  };
  /** `progress` and `total` only when the tool reports numbers (an MCP server does). */
  'node.progress': { workflow_id: string; node_id: string; message: string; progress?: number; total?: number };
  'node.completed': { workflow_id: string; node_id: string; result: unknown; duration_ms: number };
  'workflow.stage_completed': {
    workflow_id: string;
    stage_name: string;
    result: { output: unknown; duration_ms: number };
    stages_completed: number;
    total_stages: number;
  };
  'node.failed': { workflow_id: string; node_id: string; error: string; duration_ms: number };
  'workflow.completed': { workflow_id: string; result: Record<string, unknown>; duration_ms: number };
  /**
   * A run failed; or, sent to its requester alone (with the request's `correlation_id` and no `pos`), a request to
   * run a workflow id that another request already used was refused (`refused: true`) and nothing ran.
   */
  'workflow.failed':
    | { workflow_id: string; error: string; failed_node?: string; duration_ms: number }
    | { workflow_id: string; error: string; refused: true; error_code: 'INVALID_REQUEST'; error_message: string };
  'workflow.cancelled': { workflow_id: string; reason: string; duration_ms: number };
  'workflow.refused': { workflow_id: string; reason: string };
  'workflow.log': {
    workflow_id: string;
    level: 'info' | 'warn' | 'error';
    /** The node id, or `coordinator`. */
    agent: string;
    message: string;
    details: Record<string, unknown>;
  };
  'workflow.handoff': {
    workflow_id: string;
    from_node: string;
    to_node: string;
    from_tool: string;
    to_tool: string;
    reason: string;
  };
  'dsl.progress': { workflow_id: string; command: string; status: 'parsing' | 'executing'; message: string };
  'dsl.result': {
    workflow_id: string;
    command: string;
    success: boolean;
    /** What the text compiled to. */
    workflow?: { nodes: EventNode[]; edges: WorkflowEdge[] };
    /** On success: each node's output. */
    result?: Record<string, unknown>;
    /** On failure: why. */
    error?: string;
  };
  'chat.message': { content: string; sender: 'assistant'; type: 'assistant' };
  'tool.executed': {
    tool_name: string;
    sender: 'assistant';
    status: 'completed' | 'failed';
    result?: unknown;
    error?: string;
  };
  'panel.created': { panel_id: string; state: Record<string, unknown>; tools: string[] };
  'panel.patch': { panel_id: string; revision: number; mutations: StateMutation[] };
  'panel.event': { panel_id: string; event: { name: string; data: unknown } };
  'worker.status_changed': {
    worker_id: string;
    status: 'idle' | 'busy' | 'error' | 'offline';
    pool_id: string;
    timestamp: string;
  };
  'pool.status_changed': {
    pool_id: string;
    status: { active_workers: number; idle_workers: number; queue_size: number; tasks_completed: number };
    timestamp: string;
  };
  'replay.completed': { channel: Channel; count: number };
}

/** An event name with a known shape. */
export type EventName = keyof Events;

/** Fields every event frame has. */
interface EventFrameBase {
  type: 'event';
  id: string;
  /** The channel the event belongs to. */
  room: Channel;
  /**
   * Where the event sits in Kafka: the channel's resume point. Opaque; per channel it only increases. Absent on
   * `session.created`, `replay.completed` and a refusal's `workflow.failed`, which are not the channel's events.
   */
  pos?: string;
  timestamp: string;
  correlation_id?: string;
  /** True on events a `replay` sends. */
  replayed?: boolean;
}

/** The frame of an event with a known shape; {@link isEvent} tells them apart. */
export type KnownEventFrame<E extends EventName = EventName> = { [N in E]: EventFrameBase & { event: N; data: Events[N] } }[E];

/**
 * An event frame, as a subscription's handler receives it. Its `data` is `unknown` because a later relay or executor
 * version may send events these types do not know yet: narrow it with {@link isEvent}.
 */
export type EventFrame = KnownEventFrame | (EventFrameBase & { event: string; data: unknown });

/**
 * Whether an event frame is the named event, typing its `data`:
 * `if (isEvent(frame, 'node.completed')) console.log(frame.data.node_id)`.
 */
export function isEvent<E extends EventName>(frame: EventFrame, name: E): frame is KnownEventFrame<E> {
  return frame.event === name;
}

/** A request frame, as the client sends it. */
export interface RequestFrame {
  type: 'request';
  id: string;
  event: string;
  data: object;
}

/** The answer to a request. */
export interface ResponseFrame {
  type: 'response';
  id: string;
  correlation_id: string;
  event: string;
  data: unknown;
  timestamp: string;
}

/** A request failed. */
export interface ErrorFrame {
  type: 'error';
  id: string;
  correlation_id?: string;
  error_code: RelayErrorCode;
  error_message: string;
  timestamp: string;
}

/** Any frame the relay sends. */
export type ServerFrame = EventFrame | ResponseFrame | ErrorFrame;
