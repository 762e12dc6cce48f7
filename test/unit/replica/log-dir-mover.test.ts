/**
 * AlterReplicaLogDirs repeated while a move finishes (reassign-partitions.sh sends each move twice:
 * before and after writing the reassignment). Over a real LogManager on two temp dirs: however the
 * repeats fall, the replica ends in the destination with no future log left beside it.
 */
import { expect } from 'chai';
import { resolve } from 'node:path';
import { silentLogger } from '../../../broker/index.js';
import { LogDirMover } from '../../../broker/replica/log-dir-mover.js';
import { Partition } from '../../../broker/replica/partition.js';
import { systemScheduler } from '../../../common/index.js';
import { LogManager } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch } from '../storage/helpers.js';

describe('replica > log directory mover', () => {
  let logs: LogManager;
  let mover: LogDirMover;
  const dirs = [resolve(tmpDir('samsa-mover-a-')), resolve(tmpDir('samsa-mover-b-'))];

  afterEach(async () => {
    await mover.stop();
    await logs.shutdown();
  });

  it('a move requested again while it swaps in its future log leaves one replica in the destination and no future log', async () => {
    logs = await LogManager.start({ logDirs: dirs, logger: silentLogger() });
    const log = await logs.getOrCreateLog('t', 0);
    await log.appendAsLeader(batch({ count: 5 }), 0);
    const p = new Partition('t', 0, 1, log, 10_000, () => true);
    mover = new LogDirMover({ logManager: logs, partition: () => p, scheduler: systemScheduler, logger: silentLogger() });
    const destination = dirs.find((d) => d !== logs.logDirOf('t', 0))!;
    const answers: number[] = [];
    // The repeats keep coming until the replica is in the destination, so some arrive mid-swap.
    let moved = false;
    const repeats = (async () => {
      for (let i = 0; i < 2_000 && !moved; i++) {
        answers.push(await mover.alter('t', 0, destination));
        await new Promise((r) => setImmediate(r));
      }
    })();
    await waitFor(() => logs.logDirOf('t', 0) === destination, 'the replica in the destination', { timeoutMs: 10_000, intervalMs: 1 });
    moved = true;
    await repeats;
    await waitFor(async () => {
      await new Promise((r) => setTimeout(r, 50));
      return logs.futureLogDirOf('t', 0) === undefined;
    }, 'no future log', { timeoutMs: 3_000 });
    expect(answers.every((a) => a === 0), `answers ${answers.join(',')}`).to.equal(true);
    expect(logs.logDirOf('t', 0)).to.equal(destination);
    expect(logs.futurePartitions()).to.deep.equal([]);
    expect(logs.getLog('t', 0)!.logEndOffset).to.equal(5n);
  });
});
