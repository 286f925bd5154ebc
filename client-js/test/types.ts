// Compiled (not run) by npm test: the typed surface accepts the README's example and refuses what the relay would.
import { RelayClient, RelayError, isEvent } from '../src/index.js';
import type { RelayErrorCode, Requests } from '../src/index.js';

declare function fetchToken(): Promise<string>;

export async function example(): Promise<void> {
  const client = new RelayClient({ url: 'ws://127.0.0.1:8080/ws', token: async () => fetchToken() });
  await client.connect();
  const sub = await client.subscribe('workflow:w1', (event) => {
    const seen: [string, unknown, string | undefined, string] = [event.event, event.data, event.pos, event.room];
    if (isEvent(event, 'node.completed')) {
      const node: string = event.data.node_id;
      seen.push(node);
    }
    if (isEvent(event, 'workflow.failed') && 'refused' in event.data) {
      seen.push(event.data.error_code);
    }
  });
  const answer = await client.request('execute_workflow', {
    workflow_id: 'w1', nodes: [{ id: 'hello', tool: 'echo', params: { message: 'hi' } }],
  });
  const commandId: string = answer.command_id;
  const pong: 'pong' = (await client.request('ping')).status;
  const tools: string[] = (await client.request('list_tools', { pool_id: 'default' })).tools.map((tool) => tool.name);
  const replaying: number = (await client.request('replay', { channel: 'workflow:w1', from: '2026-11-23T10:00:00Z' })).speed;
  const other: unknown = await client.request('a_request_of_a_newer_relay', { any: 'thing' }, { id: commandId + pong + tools.length + replaying });
  try {
    await client.request('no_such_request', {});
  } catch (error) {
    if (error instanceof RelayError) {
      const fields: [string, string, boolean, unknown] = [error.code, error.message, error.retriable, other];
      fields.reverse();
    }
  }
  // @ts-expect-error a workflow needs nodes
  await client.request('execute_workflow', { workflow_id: 'w1' });
  // @ts-expect-error the status of a workflow names it
  await client.request('get_workflow_status', {});
  new RelayClient({ url: 'ws://127.0.0.1:8080/ws', WebSocket: globalThis.WebSocket });
  await sub.unsubscribe();
  client.close();
}

// Every status and error code the relay sends (CanonicalDialect, ErrorCode).
export const workflowStatuses: Requests['get_workflow_status']['response']['status'][] =
  ['running', 'completed', 'failed', 'cancelled'];
export const panelErrorCodes: RelayErrorCode[] = ['PANEL_NOT_FOUND', 'TOOL_NOT_FOUND', 'EXECUTION_ERROR'];
