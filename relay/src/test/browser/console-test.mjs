// Drives the web console in a real browser: start a workflow, watch its nodes turn completed, replay it.
// Usage: node console-test.mjs <relay base URL> <directory for screenshots: console.png, or console-failure.png>
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [base, artifacts] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const steps = [];
const step = (name) => { steps.push(name); console.log('step: ' + name); };
try {
  step('open the console');
  await page.goto(base + '/console/');
  await page.locator('#status', { hasText: 'connected' }).waitFor({ timeout: 15000 });
  await page.locator('.counter[data-counter="connections"]').waitFor({ timeout: 15000 });

  step('start the default workflow');
  await page.click('#workflow-form button');
  const nodes = page.locator('#graph g.node');
  await nodes.first().waitFor({ timeout: 10000 });
  const count = await nodes.count();
  if (count !== 4) {
    throw new Error('expected 4 nodes in the graph, saw ' + count);
  }

  step('see every node turn completed');
  await page.waitForFunction(() => document.querySelectorAll('#graph g.node.completed').length === 4,
    null, { timeout: 30000 });
  await page.locator('#events li', { hasText: 'workflow.completed' }).waitFor({ timeout: 10000 });

  step('inspect a frame');
  await page.locator('#events li', { hasText: 'workflow.started' }).first().click();
  const inspected = await page.textContent('#inspect');
  if (!inspected.includes('"event": "workflow.started"')) {
    throw new Error('the inspector does not show the clicked frame');
  }

  step('replay the workflow');
  const workflowId = await page.textContent('#graph-title');
  await page.fill('#replay-channel', 'workflow:' + workflowId);
  await page.fill('#replay-from', '-1h');
  await page.click('#replay-form button');
  await page.locator('#events li.replayed').first().waitFor({ timeout: 15000 });
  await page.locator('#events li', { hasText: 'replay.completed' }).waitFor({ timeout: 15000 });
  const bars = await page.locator('#timeline span').count();
  if (bars < 10) {
    throw new Error('expected the replay on the timeline, saw ' + bars + ' events');
  }
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: artifacts + '/console.png' });
  step('done');
} catch (error) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: artifacts + '/console-failure.png', fullPage: true });
  console.error('failed at "' + steps[steps.length - 1] + '": ' + error.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
