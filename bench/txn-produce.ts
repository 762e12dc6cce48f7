/**
 * `npm run bench -- produce --transactional [--messages N] [--commit-every N] [--partitions N]
 * [--runs N]`: the Samsa producer into one broker process (RF 1, acks=all), 100-byte values sent
 * in chunks of `commit-every` records with sendBatch — first idempotent (each chunk awaited), then
 * transactional (each chunk one transaction: AddPartitionsToTxn, the batches, EndTxn and its
 * markers). Same run, same broker, so the ratio is the cost of transactions at that commit size.
 */
import { Producer } from '../client/index.js';
import { arg, createBenchTopic, MESSAGE_BYTES, rates, startBenchBroker, topicEndOffset } from './suites/produce.js';
import type { BenchContext } from './suites.js';

type Mode = 'idempotent' | 'transactional';

export async function runTransactional(ctx: BenchContext): Promise<Record<string, unknown>> {
  const messages = Number(arg(ctx.args, '--messages', '200000'));
  const commitEvery = Number(arg(ctx.args, '--commit-every', '1000'));
  const partitions = Number(arg(ctx.args, '--partitions', '1'));
  const runs = Number(arg(ctx.args, '--runs', '2'));
  const b = await startBenchBroker(ctx, { 'transaction.state.log.replication.factor': 1, 'transaction.state.log.min.isr': 1, 'transaction.state.log.num.partitions': 1 });
  const value = Buffer.alloc(MESSAGE_BYTES, 'x');
  const results: Record<Mode, number[]> = { idempotent: [], transactional: [] };
  try {
    for (let run = 0; run < runs; run++) {
      for (const mode of ['idempotent', 'transactional'] as const) {
        const topic = `bench-txn-${mode}-${run}`;
        await createBenchTopic(b, topic, partitions);
        const p = new Producer<null, Buffer>({ brokers: [b.bootstrap], lingerMs: 5, batchSize: 262_144, ...(mode === 'transactional' ? { transactionalId: `bench-${run}` } : {}) });
        const chunk = Array.from({ length: commitEvery }, () => ({ topic, value }));
        try {
          await p.connect();
          if (mode === 'transactional') await (await p.transaction()).abort(); // InitProducerId outside the timing
          const start = process.hrtime.bigint();
          for (let sent = 0; sent < messages; sent += commitEvery) {
            const part = messages - sent < commitEvery ? chunk.slice(0, messages - sent) : chunk;
            if (mode === 'idempotent') {
              await p.sendBatch(part);
            } else {
              const txn = await p.transaction();
              await txn.sendBatch(part);
              await txn.commit();
            }
          }
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          const commits = Math.ceil(messages / commitEvery);
          const end = await topicEndOffset(b, topic, partitions);
          // Transactional: one COMMIT marker per partition written to, per transaction.
          const expected = mode === 'idempotent' ? messages : messages + commits * Math.min(partitions, commitEvery);
          if (mode === 'idempotent' ? end !== expected : end < messages + commits) throw new Error(`${topic}: end offset ${end}, expected ${expected}`);
          const r = rates(messages, seconds);
          results[mode].push(r.msgPerSec);
          ctx.log(`run ${run + 1} ${mode}${mode === 'transactional' ? ` (commit every ${commitEvery})` : ` (await every ${commitEvery})`}: ${messages} in ${seconds.toFixed(2)} s = ${r.msgPerSec.toLocaleString('en')} msg/s, ${r.mbPerSec} MB/s`);
        } finally {
          await p.close({ timeoutMs: 5000 });
        }
      }
    }
  } finally {
    await b.stop();
  }
  const bestIdempotent = Math.max(...results.idempotent);
  const bestTransactional = Math.max(...results.transactional);
  const ratio = Math.round((bestTransactional / bestIdempotent) * 100) / 100;
  ctx.log(`best: idempotent ${bestIdempotent.toLocaleString('en')} msg/s, transactional ${bestTransactional.toLocaleString('en')} msg/s (ratio ${ratio})`);
  return { mode: 'transactional', messages, messageBytes: MESSAGE_BYTES, partitions, commitEvery, idempotentMsgPerSec: results.idempotent, transactionalMsgPerSec: results.transactional, bestIdempotent, bestTransactional, ratio };
}
