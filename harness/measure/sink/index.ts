// The InfluxDB sink. Start at influx-sink.ts (the class and how delivery works). The steps:
// settings.ts (options checked), intake.ts (points to lines), queue.ts (lines in memory),
// delivery.ts (the loop), inflight.ts (requests at once), batch.ts (one batch, 413 halving),
// drain.ts (the spool, oldest first), spill.ts (memory to disk), backoff.ts (server health),
// quarantine.ts (HTTP 400), close.ts (closing by a deadline); core.ts holds what they share.
export { InfluxSink } from './influx-sink.js';
export type { CloseOutcome, InfluxSinkOptions, SinkStats } from './types.js';
