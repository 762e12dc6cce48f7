// Public surface of storage/: partition logs, segments, indexes, recovery, retention,
// compaction, checkpoints and the log manager.
export {};
