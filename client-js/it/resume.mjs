// Against a real relay that is restarted in the middle of a workflow: the client reconnects by itself, resumes the
// workflow's channel from the last event it had, and its handler gets every event once. Started by
// TypeScriptClientIT, which restarts the relay once this script prints `ready` and reads the events it prints last.
// Usage: node it/resume.mjs <relay WebSocket URL> <workflow id> <token>
import WebSocket from 'ws';
import { RelayClient } from '../dist/index.js';
import { collect, run, summary } from './support.mjs';

const [url, workflowId, token] = process.argv.slice(2);

await run(async () => {
  let tokens = 0;
  const states = [];
  const resumes = [];
  const { events, done, onEvent } = collect('workflow.completed');
  // How many events arrived before the connection dropped: the rest came through the resume.
  let beforeRestart;
  const client = new RelayClient({
    url,
    WebSocket,
    // The relay requires a token: a reconnect without one would be refused.
    token: async () => {
      tokens++;
      return token;
    },
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    onStateChange: (state) => {
      states.push(state);
      if (state === 'reconnecting' && beforeRestart === undefined) {
        beforeRestart = events.length;
      }
    },
  });
  await client.connect();
  try {
    await client.subscribe('workflow:' + workflowId, {
      onEvent(event) {
        onEvent(event);
        if (event.event === 'node.started' && event.data.node_id === 'wait') {
          console.log('ready');
        }
      },
      onResumed: (resume) => resumes.push(resume),
    });
    await client.request('execute_workflow', {
      workflow_id: workflowId,
      nodes: [
        { id: 'first', tool: 'echo', params: { message: 'before the restart' } },
        { id: 'wait', tool: 'sleep', params: { ms: 3000 } },
        { id: 'last', tool: 'echo', params: { message: 'after the restart' } },
      ],
      edges: [{ from: 'first', to: 'wait' }, { from: 'wait', to: 'last' }],
    });
    await done;
    return { events: summary(events), beforeRestart, resumes, states, tokens };
  } finally {
    client.close();
  }
});
