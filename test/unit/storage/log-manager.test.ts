import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager, type LogManagerOptions } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';
import { batch, quiet, readAll } from './helpers.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

function setup(dirs = [tmpDir('samsa-ld1-'), tmpDir('samsa-ld2-')]) {
  // One fake for both: time only moves (and periodic tasks only run) when the test says so.
  const clock = new TestScheduler(Date.now());
  const opts: LogManagerOptions = {
    logDirs: dirs, clock, scheduler: clock, logger: quiet, defaultConfig: { fileDeleteDelayMs: 0, segmentBytes: 400 },
    intervals: { retentionCheckMs: 5_000, cleanerBackoffMs: 5_000 },
  };
  return { dirs, clock, opts };
}

describe('storage > LogManager', () => {
  it('creates logs across log dirs, checkpoints them and reopens them after a clean shutdown', async () => {
    const { dirs, opts } = setup();
    const m = await LogManager.start(opts);
    const [a, b] = await Promise.all([m.getOrCreateLog('orders', 0), m.getOrCreateLog('orders', 1)]);
    expect(await m.getOrCreateLog('orders', 0)).to.equal(a);
    expect(a!.dir.startsWith(dirs[0]!)).to.not.equal(b!.dir.startsWith(dirs[0]!));
    for (let i = 0; i < 5; i++) await a!.appendAsLeader(batch({ count: 2 }), 0);
    a!.updateHighWatermark(6n);
    await m.checkpointHighWatermarks();
    const aDir = dirs.find((d) => a!.dir.startsWith(d))!;
    expect(readFileSync(join(aDir, 'replication-offset-checkpoint'), 'utf8')).to.equal('0\n1\norders 0 6\n');
    await m.shutdown();
    expect(readFileSync(join(aDir, 'recovery-point-offset-checkpoint'), 'utf8')).to.equal('0\n1\norders 0 10\n');
    expect(existsSync(join(a!.dir, '.samsa_cleanshutdown'))).to.equal(true);

    const again = await LogManager.start(opts);
    const a2 = again.getLog('orders', 0)!;
    expect(again.allLogs()).to.have.length(2);
    expect(a2.recoveryReport.hadCleanShutdown).to.equal(true);
    expect([a2.logEndOffset, a2.highWatermark]).to.deep.equal([10n, 6n]);
    await again.shutdown();
  });

  it('recovers from the checkpointed recovery point after a crash', async () => {
    const { opts } = setup([tmpDir()]);
    const m = await LogManager.start(opts);
    const log = await m.getOrCreateLog('t', 0);
    for (let i = 0; i < 10; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    await log.flush();
    await m.checkpointRecoveryPoints();
    for (let i = 0; i < 2; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    // crash: no shutdown
    const again = await LogManager.start(opts);
    const l2 = again.getLog('t', 0)!;
    expect(l2.recoveryReport.hadCleanShutdown).to.equal(false);
    expect(l2.recoveryReport.recoveredSegments.length).to.be.lessThan(l2.numberOfSegments);
    expect(l2.logEndOffset).to.equal(24n);
    await again.shutdown();
  });

  it('deletes a log by renaming its directory and forgets it in the checkpoints', async () => {
    const { dirs, opts } = setup([tmpDir()]);
    const m = await LogManager.start(opts);
    await m.getOrCreateLog('gone', 3);
    await m.getOrCreateLog('kept', 0);
    await m.checkpointAll();
    expect(await m.deleteLog('gone', 3)).to.equal(true);
    expect(m.getLog('gone', 3)).to.equal(undefined);
    expect(readdirSync(dirs[0]!).filter((f) => f.startsWith('gone'))).to.deep.equal([]);
    expect(readFileSync(join(dirs[0]!, 'log-start-offset-checkpoint'), 'utf8')).to.equal('0\n1\nkept 0 0\n');
    await m.shutdown();
  });

  it('runs retention and compaction from its scheduler', async () => {
    const { clock, opts } = setup([tmpDir()]);
    const m = await LogManager.start({ ...opts, defaultConfig: { ...opts.defaultConfig, retentionMs: 1000 } });
    const old = await m.getOrCreateLog('old', 0);
    for (let i = 0; i < 10; i++) await old.appendAsLeader(batch({ count: 2, timestamp: BigInt(clock.now()) }), 0);
    old.updateHighWatermark(old.logEndOffset);
    await clock.tickAsync(5000); // past retentionMs, and the retention task's period

    expect(old.numberOfSegments).to.equal(1);
    expect(old.logStartOffset).to.equal(old.activeSegment.baseOffset);

    const compacted = await m.getOrCreateLog('c', 0, { cleanupPolicy: ['compact'] });
    for (let i = 0; i < 20; i++) await compacted.appendAsLeader(batch({ keys: ['a', 'b'], values: [`a${i}`, `b${i}`] }), 0);
    compacted.updateHighWatermark(compacted.logEndOffset);
    await clock.tickAsync(5000); // the cleaner's period
    const cp = m.cleanerCheckpoint('c', 0);
    expect(cp).to.equal(compacted.activeSegment.baseOffset);
    const values = (await readAll(compacted)).filter((r) => r.offset < cp!).map((r) => r.value);
    expect(values).to.have.length(2);
    await m.shutdown();
  });
});
