// Drives the web console in a real browser: start a workflow, watch its nodes turn completed and its timeline grow,
// replay it, then find a failed workflow in the recent list and open its timeline. Given the id of a workflow that
// another executor took over mid-run, it opens that one from the recent list instead and checks the hand-over marks.
// Usage: node console-test.mjs <relay base URL> <directory for screenshots: console.png, or console-failure.png>
//        [<id of a handed-over workflow>]
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [base, artifacts, handedOver] = process.argv.slice(2);
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

  if (handedOver) {
    await checkHandOver(handedOver);
  } else {
    await runAndReplay();
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

/** Opens a workflow that executor-0 started and executor-1 finished after executor-0 died in node "wait". */
async function checkHandOver(workflowId) {
  step('open the handed-over workflow from the recent list');
  await page.selectOption('#recent-status', 'completed');
  await page.click('#recent-form button');
  const recent = page.locator(`#recent li[data-workflow="${workflowId}"]`);
  await recent.waitFor({ timeout: 15000 });
  await recent.click();
  await page.locator('#graph-title', { hasText: workflowId }).waitFor({ timeout: 5000 });

  step('see the hand-over on the timeline: a mark, the interrupted attempt and the one that completed');
  // A vertical line has an empty box, which Playwright counts as hidden: wait for it to be drawn.
  await page.locator('#gantt line.handover').waitFor({ state: 'attached', timeout: 15000 });
  const labels = await page.locator('#gantt text.handover-label').allTextContents();
  if (JSON.stringify(labels) !== JSON.stringify(['executor-0 → executor-1'])) {
    throw new Error('expected one hand-over from executor-0 to executor-1, saw ' + JSON.stringify(labels));
  }
  await page.locator('#gantt rect.bar.interrupted[data-node="wait"][data-attempt="1"]').waitFor({ timeout: 5000 });
  await page.locator('#gantt rect.bar.completed[data-node="wait"][data-attempt="2"]').waitFor({ timeout: 5000 });
  const durations = await page.locator('#gantt text.duration').allTextContents();
  if (!durations.some((text) => text.includes('(attempt 2)'))) {
    throw new Error('the second attempt is not marked as such: ' + JSON.stringify(durations));
  }
  await page.locator('#gantt-summary', { hasText: 'completed' }).waitFor({ timeout: 5000 });
  await page.locator('#gantt-summary', { hasText: '1 hand-over(s)' }).waitFor({ timeout: 5000 });
}

async function runAndReplay() {
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

  step('see the timeline: a completed bar per node, with its duration');
  await page.waitForFunction(() => document.querySelectorAll('#gantt rect.bar.completed').length === 4,
    null, { timeout: 10000 });
  const durations = await page.locator('#gantt text.duration').allTextContents();
  if (durations.length !== 4 || !durations.every((text) => / m?s/.test(text))) {
    throw new Error('expected a duration beside each bar, saw ' + JSON.stringify(durations));
  }
  const work = await page.locator('#gantt rect.bar[data-node="work"]').getAttribute('width');
  const plan = await page.locator('#gantt rect.bar[data-node="plan"]').getAttribute('width');
  if (Number(work) <= Number(plan)) {
    throw new Error('the 800 ms node should have the longer bar: work ' + work + ', plan ' + plan);
  }
  await page.locator('#gantt-summary', { hasText: 'completed' }).waitFor({ timeout: 5000 });

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

  step('run a workflow that fails');
  const completedId = workflowId;
  await page.fill('#workflow', JSON.stringify({ workflow_id: 'console-broken-' + Date.now(),
    nodes: [{ id: 'fetch', tool: 'echo', params: { message: 'x' } },
      { id: 'broken', tool: 'fail', params: { reason: 'disk full' } }],
    edges: [{ from: 'fetch', to: 'broken' }] }));
  await page.click('#workflow-form button');
  await page.locator('#events li', { hasText: 'workflow.failed' }).waitFor({ timeout: 30000 });
  const brokenId = await page.textContent('#graph-title');

  step('find it among the recent failed workflows and open it');
  await page.selectOption('#recent-status', 'failed');
  await page.click('#recent-form button');
  const recent = page.locator(`#recent li[data-workflow="${brokenId}"]`);
  await recent.waitFor({ timeout: 15000 });
  if (!(await recent.textContent()).includes('disk full')) {
    throw new Error('the recent list does not say why it failed: ' + await recent.textContent());
  }
  if (await page.locator(`#recent li[data-workflow="${completedId}"]`).count() !== 0) {
    throw new Error('a completed workflow is listed among the failed ones');
  }
  // Forget what the console saw live: the timeline must come from the workflow's history.
  await page.click('#clear');
  await recent.click();
  await page.locator('#graph-title', { hasText: brokenId }).waitFor({ timeout: 5000 });
  await page.locator('#gantt rect.bar.failed[data-node="broken"]').waitFor({ timeout: 15000 });
  await page.locator('#gantt rect.bar.completed[data-node="fetch"]').waitFor({ timeout: 5000 });
  await page.locator('#gantt-summary', { hasText: 'failed' }).waitFor({ timeout: 5000 });
}
