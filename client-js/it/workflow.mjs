// Against a real relay: subscribe, start a workflow, follow its events to the end; a retry with the same request id
// is the same command; an unknown request is a RelayError. Started by TypeScriptClientIT.
// Usage: node it/workflow.mjs <relay WebSocket URL> <workflow id>
import WebSocket from 'ws';
import { RelayClient, RelayError } from '../dist/index.js';
import { check, collect, run, summary } from './support.mjs';

const [url, workflowId] = process.argv.slice(2);

await run(async () => {
  const client = new RelayClient({ url, WebSocket });
  await client.connect();
  try {
    const { events, done, onEvent } = collect('workflow.completed');
    await client.subscribe('workflow:' + workflowId, onEvent);
    const workflow = {
      workflow_id: workflowId,
      nodes: [
        { id: 'write', tool: 'write_file', params: { filename: workflowId + '.txt', content: 'hi' } },
        { id: 'read', tool: 'read_file', params: { filename: workflowId + '.txt' } },
      ],
      edges: [{ from: 'write', to: 'read' }],
    };
    const accepted = await client.request('execute_workflow', workflow, { id: 'run-' + workflowId });
    check(accepted.status === 'accepted' && accepted.workflow_id === workflowId, 'accepted: ' + JSON.stringify(accepted));
    const retried = await client.request('execute_workflow', workflow, { id: 'run-' + workflowId });
    check(retried.command_id === accepted.command_id,
      `a retry with the same id is the same command: ${retried.command_id} != ${accepted.command_id}`);
    await done;

    let unknown;
    try {
      await client.request('no_such_request', {});
    } catch (error) {
      unknown = error;
    }
    check(unknown instanceof RelayError && unknown.code === 'UNKNOWN_REQUEST',
      'an unknown request rejects with RelayError UNKNOWN_REQUEST, not ' + unknown);
    const status = await client.request('get_workflow_status', { workflow_id: workflowId });
    return {
      events: summary(events),
      readBack: events.find((event) => event.event === 'node.completed' && event.data.node_id === 'read')?.data.result,
      status: status.status,
    };
  } finally {
    client.close();
  }
});
