// harness/measure: points, the InfluxDB sink with its disk spool, the embedded influxd,
// queries and the schema. Other folders import from here only.
export * from './types.js';
export { hostClock, VirtualTime, type Clock, type ClockKind } from './clock.js';
export { MEASUREMENTS, RANLAB_INTEGER_FIELDS, integerFieldsOf, type FieldKind, type MeasurementName, type MeasurementSchema } from './schema.js';
export { InvalidPointError, toLine, type LineOptions } from './lineprotocol.js';
export { LineFormatter } from './formatter.js';
export { InfluxSink, type InfluxSinkOptions, type SinkStats } from './sink/index.js';
export { REJECTED_FILE } from './spool.js';
export { checkInfluxReachable, createInfluxDatabase, pingInflux, queryInflux, type InfluxRow } from './client.js';
export { findInfluxd, influxdConfig, startEmbeddedInflux, type EmbeddedInflux, type EmbeddedInfluxOptions } from './influxd.js';
export { destinationKey, destinationSpool, listDestinations, removeIfEmpty, spoolRoot, type Destination } from './destination.js';
export type { CloseOutcome } from './sink/index.js';
