import { expect } from 'chai';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyTail, LogManager, type LogManagerOptions } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';
import { batch, quiet, readAll } from './helpers.js';

function setup() {
  const dirs = [tmpDir('samsa-fl1-'), tmpDir('samsa-fl2-')];
  const clock = new TestScheduler(Date.now());
  const opts: LogManagerOptions = { logDirs: dirs, clock, scheduler: clock, logger: quiet, defaultConfig: { fileDeleteDelayMs: 0, segmentBytes: 400 } };
  return { dirs, opts };
}

const other = (dirs: string[], dir: string) => dirs.find((d) => !dir.startsWith(d))!;

describe('storage > moving a log between log directories (future logs)', () => {
  it('copies a log into a -future directory, swaps it in, and the old directory goes', async () => {
    const { dirs, opts } = setup();
    const m = await LogManager.start(opts);
    const log = await m.getOrCreateLog('t', 0);
    await log.assignEpochStartOffset(3, 0n);
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batch({ count: 2 }), 3);
    log.updateHighWatermark(12n);
    const dest = other(dirs, log.dir);
    const future = await m.createFutureLog('t', 0, dest);
    expect(readdirSync(dest).some((n) => /^t-0\.[0-9a-f]+-future$/.test(n))).to.equal(true);
    expect(await copyTail(log, future, 100)).to.be.greaterThan(0);
    expect(future.logEndOffset > 0n && future.logEndOffset < 12n, `future log end ${future.logEndOffset} between 0 and 12`).to.equal(true);
    // Appends continue on the current log meanwhile; the swap copies the rest.
    await log.appendAsLeader(batch({ count: 2 }), 3);
    let installed: unknown;
    const moved = await m.swapInFutureLog('t', 0, (l) => (installed = l));
    expect(installed).to.equal(moved);
    expect(m.getLog('t', 0)).to.equal(moved);
    expect(m.logDirOf('t', 0)).to.equal(dest);
    expect(m.futureLog('t', 0)).to.equal(undefined);
    expect(moved.logEndOffset).to.equal(14n);
    expect(moved.highWatermark).to.equal(12n);
    expect(moved.latestEpoch).to.equal(3);
    expect((await readAll(moved)).map((r) => r.offset)).to.deep.equal(Array.from({ length: 14 }, (_, i) => BigInt(i)));
    expect(readdirSync(dest).filter((n) => n.startsWith('t-0'))).to.deep.equal(['t-0']);
    expect(readdirSync(other(dirs, dest)).filter((n) => n.startsWith('t-0'))).to.deep.equal([]);
    await m.shutdown();
  });

  it('loads a -future directory at start as the future log (a move resumes after a restart)', async () => {
    const { dirs, opts } = setup();
    const m = await LogManager.start(opts);
    const log = await m.getOrCreateLog('t', 0);
    for (let i = 0; i < 4; i++) await log.appendAsLeader(batch({ count: 1 }), 0);
    const future = await m.createFutureLog('t', 0, other(dirs, log.dir));
    await copyTail(log, future, 1);
    const copied = future.logEndOffset;
    await m.shutdown();
    const again = await LogManager.start(opts);
    expect(again.futureLog('t', 0)?.logEndOffset).to.equal(copied);
    expect(again.futurePartitions()).to.deep.equal([{ topic: 't', partition: 0, logDir: other(dirs, log.dir) }]);
    expect(again.getLog('t', 0)?.logEndOffset).to.equal(4n);
    await again.shutdown();
  });

  it('a swap interrupted after the rename keeps the destination; before it, the marked copy keeps serving', async () => {
    const { dirs, opts } = setup();
    const m = await LogManager.start(opts);
    const log = await m.getOrCreateLog('t', 0);
    for (let i = 0; i < 3; i++) await log.appendAsLeader(batch({ count: 1 }), 0);
    await m.shutdown();
    const src = dirs.find((d) => log.dir.startsWith(d))!;
    const dest = other(dirs, log.dir);
    // Crash after the rename: both directories hold t-0, the source one marked.
    cpSync(join(src, 't-0'), join(dest, 't-0'), { recursive: true });
    writeFileSync(join(src, 't-0', '.samsa_moved'), `${dest}\n`);
    const after = await LogManager.start(opts);
    expect(after.logDirOf('t', 0)).to.equal(dest);
    expect(after.getLog('t', 0)?.logEndOffset).to.equal(3n);
    expect(existsSync(join(src, 't-0'))).to.equal(false);
    await after.shutdown();
    // Crash before the rename: only the marked copy (and a future directory) exist.
    renameSync(join(dest, 't-0'), join(src, 't-0'));
    writeFileSync(join(src, 't-0', '.samsa_moved'), `${dest}\n`);
    mkdirSync(join(dest, 't-0.0123abcd-future'));
    const before = await LogManager.start(opts);
    expect(before.logDirOf('t', 0)).to.equal(src);
    expect(existsSync(join(src, 't-0', '.samsa_moved'))).to.equal(false);
    expect(before.futureLogDirOf('t', 0)).to.equal(dest);
    await before.shutdown();
  });

  it('a replica not hosted yet is created in the preferred directory; a move is refused into an unknown directory', async () => {
    const { dirs, opts } = setup();
    const m = await LogManager.start(opts);
    m.setPreferredLogDir('p', 0, dirs[1]!);
    m.setPreferredLogDir('p', 1, dirs[1]!);
    expect(m.logDirOf('p', 0)).to.equal(undefined);
    const [a, b] = await Promise.all([m.getOrCreateLog('p', 0), m.getOrCreateLog('p', 1)]);
    expect([a.dir, b.dir].every((d) => d.startsWith(dirs[1]!))).to.equal(true);
    await m.createFutureLog('p', 0, '/not/a/log/dir').then(() => expect.fail('created'), (err: { code?: string }) => expect(err.code).to.equal('STG_LOG_DIR_OFFLINE'));
    await m.shutdown();
  });
});
