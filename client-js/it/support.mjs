// What the integration scripts share: how they report to TypeScriptClientIT, which reads their standard output.

/** Runs a script's body: prints `result: <JSON>` and exits 0, or prints why it failed and exits 1. */
export async function run(body, timeoutMs = 90_000) {
  const timer = setTimeout(() => {
    console.log('failed: no result within ' + timeoutMs + ' ms');
    process.exit(1);
  }, timeoutMs);
  try {
    console.log('result: ' + JSON.stringify(await body()));
  } catch (error) {
    console.log('failed: ' + (error?.stack ?? error));
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
  }
}

export function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** A channel's events as a handler receives them, and a promise of the moment the one named `last` arrived. */
export function collect(last) {
  const events = [];
  let arrived;
  const done = new Promise((resolve) => {
    arrived = resolve;
  });
  return {
    events,
    done,
    onEvent(event) {
      events.push(event);
      if (event.event === last) {
        arrived(events);
      }
    },
  };
}

/** What the Java side compares: each event's name, position and node. */
export function summary(events) {
  return events.map((event) => ({ event: event.event, pos: event.pos, node: event.data?.node_id ?? null }));
}
