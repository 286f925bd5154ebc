// A small stdio MCP server for the executor's tests, on the SDK the reference server is built with: its tool
// add-extra adds a tool `extra` and remove-extra removes it, each change announced with
// notifications/tools/list_changed, as a server whose tools change at run time does.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const server = new McpServer({ name: 'changing-tools', version: '1.0.0' });
let extra = null;

server.registerTool('add-extra', { description: 'Adds the tool extra' }, async () => {
  extra ??= server.registerTool('extra', { description: 'Exists only after add-extra' },
    async () => ({ content: [{ type: 'text', text: 'extra ran' }] }));
  return { content: [{ type: 'text', text: 'added' }] };
});
server.registerTool('remove-extra', { description: 'Removes the tool extra' }, async () => {
  extra?.remove();
  extra = null;
  return { content: [{ type: 'text', text: 'removed' }] };
});

await server.connect(new StdioServerTransport());
