/**
 * Real disk faults under the log manager (a loop-mounted ext4, test/helpers/faulty-disk.ts): EIO,
 * ENOSPC and EROFS each take the directory offline the first time an operation meets them; an
 * append that failed reports the error and is not in the log; the other directory keeps
 * serving. Skipped, with the reason printed, without root or loop devices.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { encodeRecordBatch } from '../../../protocol/index.js';
import { LogManager, StorageError, type LogDirFailure, type PartitionLog } from '../../../storage/index.js';
import { FaultyDisk, faultyDiskAvailable } from '../../helpers/faulty-disk.js';
import { tmpDir } from '../../helpers/tmp.js';
import { quiet } from '../../unit/storage/helpers.js';

const record = (i: number): Buffer => encodeRecordBatch([{ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`.padEnd(1000, '.')) }]);

describe('storage > real disk faults take a log directory offline', function () {
  this.timeout(60_000);
  let disk: FaultyDisk | undefined;
  let manager: LogManager | undefined;

  before(async function () {
    const cap = await faultyDiskAvailable();
    if (!cap.available) {
      console.log(`      skipped: ${cap.reason}`);
      this.skip();
    }
  });

  afterEach(async () => {
    await manager?.shutdown().catch(() => undefined);
    await disk?.release();
    manager = undefined;
    disk = undefined;
  });

  async function start(): Promise<{ failures: LogDirFailure[]; onDisk: PartitionLog; healthy: PartitionLog }> {
    disk = await FaultyDisk.create(tmpDir('samsa-faulty-'), 32);
    const healthyDir = tmpDir('samsa-healthy-');
    const failures: LogDirFailure[] = [];
    manager = await LogManager.start({ logDirs: [join(disk.dir, 'data'), healthyDir], logger: quiet, onLogDirFailure: (f) => failures.push(f) });
    const logs = await Promise.all([manager.getOrCreateLog('t', 0), manager.getOrCreateLog('t', 1)]);
    const onDisk = logs.find((l) => l.dir.startsWith(disk!.dir))!;
    const healthy = logs.find((l) => !l.dir.startsWith(disk!.dir))!;
    for (let i = 0; i < 5; i++) for (const l of logs) await l.appendAsLeader(record(i), 0);
    return { failures, onDisk, healthy };
  }

  async function failedAppend(log: PartitionLog, i: number): Promise<StorageError> {
    for (let attempt = 0; attempt < 1_000; attempt++) {
      try {
        await log.appendAsLeader(record(i), 0);
      } catch (err) {
        expect(err).to.be.instanceOf(StorageError);
        return err as StorageError;
      }
    }
    throw new Error('no append failed');
  }

  async function checkOffline(failures: LogDirFailure[], onDisk: PartitionLog, healthy: PartitionLog, before: bigint): Promise<void> {
    expect(failures).to.have.length(1);
    expect(failures[0]!.logDir).to.equal(join(disk!.dir, 'data'));
    expect(failures[0]!.allOffline).to.equal(false);
    expect(onDisk.isOffline).to.equal(true);
    // Nothing acknowledged was lost from the log's own view; the failed append is not in it.
    expect(onDisk.logEndOffset >= before, 'log end offset went backwards').to.equal(true);
    const again = await onDisk.appendAsLeader(record(99), 0).then(() => undefined, (e: StorageError) => e.code);
    expect(again).to.equal('STG_LOG_DIR_OFFLINE');
    expect((await healthy.appendAsLeader(record(7), 0)).firstOffset).to.equal(healthy.logEndOffset - 1n);
    expect(manager!.offlineLogDirs()).to.deep.equal([join(disk!.dir, 'data')]);
  }

  it('EIO (the device dies): the next append fails with STG_IO and the directory goes offline', async () => {
    const { failures, onDisk, healthy } = await start();
    const before = onDisk.logEndOffset;
    await disk!.failIo();
    // Appends land in the page cache; the fault shows at the first operation that reaches the device.
    await onDisk.flush().catch(() => undefined);
    const err = await failedAppend(onDisk, 100).catch((e: Error) => e);
    if (err instanceof StorageError) expect(['STG_IO', 'STG_LOG_DIR_OFFLINE']).to.include(err.code);
    await checkOffline(failures, onDisk, healthy, before);
  });

  it('ENOSPC (disk full): the append that did not fit fails, nothing of it stays in the log, the directory goes offline', async () => {
    const { failures, onDisk, healthy } = await start();
    disk!.fill();
    const before = onDisk.logEndOffset;
    const err = await failedAppend(onDisk, 200);
    expect(err.code).to.equal('STG_IO');
    expect(err.message).to.match(/ENOSPC|no space/i);
    // The append that did not fit is not in the log: its end did not move.
    expect(onDisk.logEndOffset).to.equal(before);
    await checkOffline(failures, onDisk, healthy, before);
  });

  it('EROFS (the kernel remounts the filesystem read-only): the next write fails and the directory goes offline', async () => {
    const { failures, onDisk, healthy } = await start();
    const before = onDisk.logEndOffset;
    await disk!.remountReadOnly();
    await onDisk.flush().catch(() => undefined);
    const err = await failedAppend(onDisk, 300).catch((e: Error) => e);
    if (err instanceof StorageError) expect(['STG_IO', 'STG_LOG_DIR_OFFLINE']).to.include(err.code);
    await checkOffline(failures, onDisk, healthy, before);
  });
});
