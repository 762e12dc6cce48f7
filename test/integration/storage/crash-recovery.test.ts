import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PartitionLog } from '../../../storage/index.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { readAll } from '../../unit/storage/helpers.js';

describe('storage > crash recovery (SIGKILL of an appending process)', () => {
  it('keeps every acknowledged append and a valid, gap-free log', async function () {
    this.timeout(60_000);
    const dir = join(tmpDir(), 'crash-0');
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'appender.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let lastAck = -1n;
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) if (l.startsWith('ack ')) lastAck = BigInt(l.slice(4));
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      await waitFor(() => lastAck >= 2000n, 'the appender to acknowledge 2000 records', { timeoutMs: 30_000 });
    } finally {
      process.kill(child.pid!, 'SIGKILL');
    }
    expect(await exited).to.equal('SIGKILL');
    const log = await PartitionLog.open({ dir, topic: 'crash', partition: 0, config: { segmentBytes: 64 * 1024, indexIntervalBytes: 512 } });
    expect(log.recoveryReport.hadCleanShutdown).to.equal(false);
    expect(log.logEndOffset > lastAck).to.equal(true);
    expect(log.numberOfSegments).to.be.greaterThan(5);
    const all = await readAll(log, 256 * 1024);
    expect(all.length).to.equal(Number(log.logEndOffset));
    all.forEach((r, i) => {
      expect(r.offset).to.equal(BigInt(i));
      expect(r.value?.startsWith(`record-${i}.`)).to.equal(true);
    });
    expect(log.latestEpoch).to.equal(1);
    await log.close();
  });
});
