// The built bundle in a real browser: Debian's Chromium, driven by Playwright, opens a page that imports
// dist/index.js and runs a workflow with it. Started by TypeScriptClientIT.
// Usage: node it/browser.mjs <relay WebSocket URL> <workflow id> <directory for a screenshot on failure>
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { check, run } from './support.mjs';

const [relayUrl, workflowId, artifacts] = process.argv.slice(2);
const root = fileURLToPath(new URL('..', import.meta.url));

// The page and the bundle from a server of their own, as an application would serve them.
const server = createServer(async (request, response) => {
  const path = new URL(request.url, 'http://localhost').pathname;
  const file = path === '/' ? 'it/browser-page.html' : path.startsWith('/dist/') && !path.includes('..') ? path.slice(1) : null;
  try {
    check(file !== null, 'only the page and the bundle are served');
    const body = await readFile(root + file);
    response.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : 'text/javascript' });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const page = await browser.newPage();
const errors = [];
page.on('pageerror', (error) => errors.push(error.message));
page.on('console', (message) => console.log('page: ' + message.text()));
try {
  await run(async () => {
    const query = new URLSearchParams({ relay: relayUrl, workflow: workflowId });
    await page.goto(`http://127.0.0.1:${server.address().port}/?${query}`);
    const status = page.locator('#status[data-outcome]');
    await status.waitFor({ timeout: 30_000 });
    const text = await status.textContent();
    check(await status.getAttribute('data-outcome') === 'completed', `the page says "${text}"; errors: ${errors}`);
    return {
      status: text,
      events: await page.locator('#events li').allTextContents(),
    };
  });
  if (process.exitCode) {
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: artifacts + '/client-js-failure.png', fullPage: true });
  }
} finally {
  await browser.close();
  server.close();
}
