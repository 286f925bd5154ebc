// Preloaded into the MCP reference server by the executor's tests (node --require): writes the server's pid and
// appends every message the client sends to files, so that a test can kill the server or see what it was told.
const fs = require('node:fs');

if (process.env.MCP_PID_FILE) {
  fs.writeFileSync(process.env.MCP_PID_FILE, String(process.pid));
}
const log = process.env.MCP_STDIN_LOG;
if (log) {
  const on = process.stdin.on.bind(process.stdin);
  process.stdin.on = (event, listener) => on(event, event !== 'data' ? listener : (chunk) => {
    fs.appendFileSync(log, chunk);
    listener(chunk);
  });
}
