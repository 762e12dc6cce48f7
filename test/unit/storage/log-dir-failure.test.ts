/**
 * Log directory failure in storage (Kafka's LogDirFailureChannel): an I/O error takes the whole
 * directory offline, once, and nothing more is read or written there. The faults here are real
 * filesystem errors (a directory removed under the broker: ENOENT on roll, checkpoint and
 * create); EIO, ENOSPC and EROFS from a real device are in test/integration/storage.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager, StorageError, type LogDirFailure, type LogManagerOptions } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';
import { batch, quiet, rejection } from './helpers.js';

function setup(dirs: string[]) {
  const scheduler = new TestScheduler(Date.now());
  const clock = scheduler;
  const failures: LogDirFailure[] = [];
  const opts: LogManagerOptions = {
    logDirs: dirs,
    clock,
    scheduler,
    logger: quiet,
    defaultConfig: { fileDeleteDelayMs: 0 },
    onLogDirFailure: (f) => failures.push(f),
  };
  return { opts, failures, scheduler };
}

describe('storage > log directory failure', () => {
  it('an I/O error in one log takes its whole directory offline once; the other directory keeps serving', async () => {
    const dirs = [tmpDir('samsa-ldf1-'), tmpDir('samsa-ldf2-')];
    const { opts, failures, scheduler } = setup(dirs);
    const m = await LogManager.start(opts);
    const [a, b, c] = await Promise.all([m.getOrCreateLog('t', 0), m.getOrCreateLog('t', 1), m.getOrCreateLog('t', 2)]);
    for (const log of [a!, b!, c!]) await log.appendAsLeader(batch({ count: 3 }), 0);
    const failedDir = m.logDirOf('t', 0)!;
    const liveDir = dirs.find((d) => d !== failedDir)!;
    const inFailed = [a!, b!, c!].filter((l) => l.dir.startsWith(failedDir));
    const inLive = [a!, b!, c!].filter((l) => l.dir.startsWith(liveDir));
    expect(inFailed.length).to.be.greaterThan(0);
    expect(inLive.length).to.be.greaterThan(0);

    // The partition directory vanishes under the broker: the next roll cannot create its segment.
    rmSync(a!.dir, { recursive: true, force: true });
    const err = await rejection(a!.forceRoll());
    expect(err.code).to.equal('STG_IO');
    expect(failures).to.have.length(1);
    expect(failures[0]!.logDir).to.equal(failedDir);
    expect(failures[0]!.allOffline).to.equal(false);
    expect(failures[0]!.partitions.map((p) => p.partition).sort()).to.deep.equal(inFailed.map((l) => l.partition).sort());
    expect(m.offlineLogDirs()).to.deep.equal([failedDir]);
    expect(m.liveLogDirs()).to.deep.equal([liveDir]);

    // Every log of the failed directory is offline: no append, no read (KAFKA_STORAGE_ERROR).
    for (const log of inFailed) {
      expect(log.isOffline).to.equal(true);
      expect(m.getLog(log.topic, log.partition)).to.equal(undefined);
      expect((await rejection(log.appendAsLeader(batch(), 0))).code).to.equal('STG_LOG_DIR_OFFLINE');
      expect((await rejection(log.read(0n, 1024))).code).to.equal('STG_LOG_DIR_OFFLINE');
    }
    // A second error from the same directory is not a second failure.
    await rejection(inFailed[0]!.flush()).catch(() => undefined);
    expect(failures).to.have.length(1);

    // The live directory still appends, reads and checkpoints; nothing is written to the failed one.
    for (const log of inLive) expect((await log.appendAsLeader(batch(), 0)).firstOffset).to.equal(3n);
    writeFileSync(join(failedDir, 'replication-offset-checkpoint'), 'untouched');
    await m.checkpointHighWatermarks();
    expect(readFileSync(join(failedDir, 'replication-offset-checkpoint'), 'utf8')).to.equal('untouched');
    expect(readFileSync(join(liveDir, 'replication-offset-checkpoint'), 'utf8')).to.match(/^0\n\d+\n/);

    // A replica the controller says existed must not be re-created empty elsewhere (Kafka's rule);
    // a new partition goes to a live directory.
    expect((await rejection(m.getOrCreateLog('t', 0, undefined, { isNew: false }))).code).to.equal('STG_LOG_DIR_OFFLINE');
    const fresh = await m.getOrCreateLog('u', 0, undefined, { isNew: true });
    expect(fresh.dir.startsWith(liveDir)).to.equal(true);
    // Periodic work skips what failed and does the rest.
    await scheduler.tickAsync(1_000); // the log flusher's period (log.flush.scheduler.interval.ms)
    await m.shutdown();
    expect(existsSync(join(liveDir, 'recovery-point-offset-checkpoint'))).to.equal(true);
  });

  it('a failed checkpoint write takes that directory offline; when no directory is left the owner is told allOffline', async () => {
    const dir = tmpDir('samsa-ldf-single-');
    const { opts, failures } = setup([dir]);
    const m = await LogManager.start(opts);
    const log = await m.getOrCreateLog('t', 0);
    await log.appendAsLeader(batch(), 0);
    rmSync(dir, { recursive: true, force: true });
    const err = await rejection(m.checkpointRecoveryPoints());
    expect(err.code).to.equal('STG_IO');
    expect(failures.map((f) => [f.logDir, f.allOffline])).to.deep.equal([[dir, true]]);
    expect(log.isOffline).to.equal(true);
    expect((await rejection(m.getOrCreateLog('t', 1))).code).to.equal('STG_LOG_DIR_OFFLINE');
    await m.shutdown();
  });

  it('a directory that cannot be used at start is offline from the start; with none usable the start fails', async () => {
    const good = tmpDir('samsa-ldf-good-');
    const parent = tmpDir('samsa-ldf-bad-');
    const bad = join(parent, 'not-a-dir');
    writeFileSync(bad, 'a file where a log directory should be');
    const { opts, failures } = setup([good, bad]);
    const m = await LogManager.start(opts);
    expect(m.offlineLogDirs()).to.deep.equal([bad]);
    expect(failures.map((f) => f.logDir)).to.deep.equal([bad]);
    expect((await m.getOrCreateLog('t', 0)).dir.startsWith(good)).to.equal(true);
    await m.shutdown();

    const only = setup([bad]);
    expect((await rejection(LogManager.start(only.opts))).code).to.equal('STG_LOG_DIR_OFFLINE');
    const known = setup([good]);
    expect((await rejection(LogManager.start({ ...known.opts, initialOfflineDirs: [good] }))).code).to.equal('STG_LOG_DIR_OFFLINE');
  });
});
