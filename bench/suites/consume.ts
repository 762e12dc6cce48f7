/**
 * Consume throughput of one broker process (RF 1): 1,000,000 × 100-byte messages are loaded with
 * `kcat -P -l`, then read back with `kcat -C -e -o beginning` (output discarded). Target
 * ≥ 1,000,000 msg/s. Options as in the produce suite (--messages, --partitions, --zk, --runs,
 * --cpu-prof).
 */
import type { BenchContext } from '../suites.js';
import { arg, createBenchTopic, MESSAGE_BYTES, prepareMessageFile, rates, startBenchBroker, timedKcat, topicEndOffset } from './produce.js';

export const describe = 'kcat -C -e -o beginning of 1,000,000 × 100-byte messages from one broker process (RF 1): msg/s and MB/s';

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const messages = Number(arg(ctx.args, '--messages', '1000000'));
  const partitions = Number(arg(ctx.args, '--partitions', '1'));
  const runs = Number(arg(ctx.args, '--runs', '3'));
  ctx.log(`preparing ${messages} × ${MESSAGE_BYTES}-byte messages...`);
  const file = await prepareMessageFile(messages);
  const b = await startBenchBroker(ctx);
  const results: { msgPerSec: number; mbPerSec: number; seconds: number }[] = [];
  try {
    const topic = 'bench-consume';
    await createBenchTopic(b, topic, partitions);
    const loaded = await timedKcat(['-P', '-b', b.bootstrap, '-t', topic, '-l', file, '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576']);
    const landed = await topicEndOffset(b, topic, partitions);
    if (landed !== messages) throw new Error(`only ${landed} of ${messages} messages were loaded: ${loaded.stderr}`);
    ctx.log(`loaded ${messages} messages in ${loaded.seconds.toFixed(2)} s`);
    for (let i = 0; i < runs; i++) {
      const t = await timedKcat(['-C', '-b', b.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-c', String(messages)]);
      const r = { ...rates(messages, t.seconds), seconds: Math.round(t.seconds * 1000) / 1000 };
      results.push(r);
      ctx.log(`run ${i + 1}: ${messages} messages in ${r.seconds} s = ${r.msgPerSec.toLocaleString('en')} msg/s, ${r.mbPerSec} MB/s`);
    }
  } finally {
    await b.stop();
  }
  const best = results.reduce((a, c) => (c.msgPerSec > a.msgPerSec ? c : a));
  ctx.log(`best: ${best.msgPerSec.toLocaleString('en')} msg/s (target ≥ 1,000,000), ${best.mbPerSec} MB/s`);
  return { messages, messageBytes: MESSAGE_BYTES, partitions, runs: results, bestMsgPerSec: best.msgPerSec, bestMbPerSec: best.mbPerSec, targetMsgPerSec: 1_000_000 };
}
