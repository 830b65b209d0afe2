// The sink
export { FileSink } from './fileSink.js';
export type { FileSinkOptions, FileSinkStats, FsyncMode } from './fileSink.js';

// Reading back
export { readEvents, readRecords } from './readEvents.js';
export type { ReadEventsOptions } from './readEvents.js';
export { followRecords } from './followRecords.js';
export type { FollowRecordsOptions } from './followRecords.js';
export { toWireEvent } from './wire.js';
export type { FileRecord, FileOp } from './wire.js';
