/**
 * The log-manager step of a broker's start: dynamic broker configs are loaded first, because the
 * logs open with the log defaults they set (a `log.retention.ms` set with kafka-configs.sh
 * applies from the first open, not after a reload), then every log in `log.dirs` is opened.
 */
import type { Logger } from 'pino';
import type { CoordinationStore } from '../coordination/index.js';
import { LogManager, type LogDirFailure, type LogManagerIntervals } from '../storage/index.js';
import type { LiveBrokerConfig } from './broker-dynamic-config.js';
import type { BrokerConfig } from './config/index.js';
import { TopicConfigs } from './replica/index.js';

export interface LogsWiring {
  readonly config: BrokerConfig;
  readonly liveConfig: LiveBrokerConfig;
  readonly store: CoordinationStore;
  readonly logger: Logger;
  /** Log dirs whose meta.properties could not be read (broker identity). */
  readonly initialOfflineDirs: readonly string[] | undefined;
  readonly onLogDirFailure: (failure: LogDirFailure) => void;
  readonly logIntervals: Partial<LogManagerIntervals> | undefined;
}

export async function startBrokerLogs(w: LogsWiring): Promise<{ topicConfigs: TopicConfigs; logManager: LogManager }> {
  const c = w.config;
  await w.liveConfig.load();
  const topicConfigs = new TopicConfigs(w.store, w.liveConfig.current);
  const logManager = await LogManager.start({
    logDirs: c.logDirs,
    defaultConfig: topicConfigs.defaults.logConfig,
    // Current broker defaults for a topic not loaded yet (they change with dynamic configs).
    topicConfig: (topic) => topicConfigs.get(topic).logConfig,
    logger: w.logger,
    openParallelism: c.int('num.recovery.threads.per.data.dir') * c.logDirs.length,
    initialOfflineDirs: w.initialOfflineDirs,
    onLogDirFailure: w.onLogDirFailure,
    cleanerEnabled: c.bool('log.cleaner.enable'),
    cleanerDedupeBufferBytes: c.int('log.cleaner.dedupe.buffer.size'),
    intervals: {
      retentionCheckMs: c.int('log.retention.check.interval.ms'),
      recoveryPointCheckpointMs: c.int('log.flush.offset.checkpoint.interval.ms'),
      highWatermarkCheckpointMs: c.int('replica.high.watermark.checkpoint.interval.ms'),
      cleanerBackoffMs: c.int('log.cleaner.backoff.ms'),
      ...w.logIntervals,
    },
  });
  return { topicConfigs, logManager };
}
