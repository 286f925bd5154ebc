// Event positions ('pos'): `<topic incarnation>.<partition>.<offset>`. Opaque to applications; the client compares
// them only to drop an event it already handed over, which a resume can send again.

interface Position {
  /** The topic incarnation and partition: offsets compare only within one. */
  readonly partition: string;
  readonly offset: bigint;
}

function parse(pos: string): Position | undefined {
  const last = pos.lastIndexOf('.');
  const middle = last <= 0 ? -1 : pos.lastIndexOf('.', last - 1);
  if (middle <= 0 || !/^\d+$/.test(pos.slice(last + 1))) {
    return undefined;
  }
  // Offsets are Kafka longs: beyond what a number holds exactly.
  return { partition: pos.slice(0, last), offset: BigInt(pos.slice(last + 1)) };
}

/**
 * Whether `pos` lies after `previous`. Positions of another partition or topic incarnation (the topic was created
 * again) cannot be compared and count as after; so does anything unreadable, so that nothing is dropped by mistake.
 */
export function isAfter(pos: string, previous: string): boolean {
  const next = parse(pos);
  const last = parse(previous);
  return next === undefined || last === undefined || next.partition !== last.partition || next.offset > last.offset;
}

