import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PartitionLog } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { readAll } from '../../unit/storage/helpers.js';
import { idempotentBatch, PRODUCER_ID } from './idempotent-appender.js';

describe('storage > idempotent producer across a crash (SIGKILL of an appending process)', () => {
  it('retries after the crash are answered with the original offsets and nothing is written twice', async function () {
    this.timeout(60_000);
    const dir = join(tmpDir(), 'idem-0');
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'idempotent-appender.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let lastAck = -1;
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) if (l.startsWith('ack ')) lastAck = Number(l.slice(4));
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      await waitFor(() => lastAck >= 1500, 'the appender to acknowledge 1500 batches', { timeoutMs: 30_000 });
    } finally {
      process.kill(child.pid!, 'SIGKILL');
    }
    expect(await exited).to.equal('SIGKILL');

    const config = { segmentBytes: 32 * 1024, indexIntervalBytes: 512 };
    const log = await PartitionLog.open({ dir, topic: 'idem', partition: 0, config });
    expect(log.recoveryReport.hadCleanShutdown).to.equal(false);
    expect(readdirSync(dir).some((f) => f.endsWith('.snapshot'))).to.equal(true);
    // Replay covers at most the segments since the last roll snapshot, not the whole log.
    expect(log.producerStateLoad.snapshotOffset).to.not.equal(undefined);
    const inLog = Number(log.logEndOffset / 3n);
    expect(inLog).to.be.greaterThan(lastAck);
    // The producer never saw answers for its last in-flight batches: it resends the last 5 it
    // sent (all in the log) and then continues.
    for (let i = inLog - 5; i < inLog + 2; i++) {
      const r = await log.appendAsLeader(idempotentBatch(i), 2);
      if (i < inLog) expect(r).to.deep.include({ duplicate: true, firstOffset: BigInt(3 * i), lastOffset: BigInt(3 * i + 2) });
      else expect(r).to.deep.include({ firstOffset: BigInt(3 * i) }).and.not.have.property('duplicate');
    }
    const all = await readAll(log, 256 * 1024);
    expect(all.length).to.equal(3 * (inLog + 2));
    all.forEach((r, k) => expect(r.value?.startsWith(`rec-${Math.floor(k / 3)}-${k % 3}.`)).to.equal(true));
    expect(log.producerState(PRODUCER_ID)?.batches.at(-1)?.lastSeq).to.equal(3 * (inLog + 2) - 1);
    await log.close();
  });
});
