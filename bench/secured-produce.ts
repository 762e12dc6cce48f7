/**
 * `npm run bench -- produce --secured [--messages N] [--runs N] [--partitions N]`: kcat -P of
 * 100-byte messages (acks=all) into ONE broker process that has a PLAINTEXT, an SSL and a
 * SASL_SSL (PLAIN) listener, the three modes interleaved in each run so machine load hits them
 * alike. Certificates from scripts/make-test-certs.sh. Reports each mode's best rate and its
 * ratio to PLAINTEXT (target: TLS ≥ 0.6 × plaintext).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpDir } from '../test/helpers/tmp.js';
import { REPO_ROOT } from '../test/helpers/zookeeper.js';
import { arg, createBenchTopic, prepareMessageFile, rates, startBenchBroker, timedKcat, topicEndOffset } from './suites/produce.js';
import type { BenchContext } from './suites.js';

const MODES = ['PLAINTEXT', 'SSL', 'SASL_SSL'] as const;
type Mode = (typeof MODES)[number];
const TARGET_RATIO = 0.6;

export async function runSecured(ctx: BenchContext): Promise<Record<string, unknown>> {
  const messages = Number(arg(ctx.args, '--messages', '1000000'));
  const partitions = Number(arg(ctx.args, '--partitions', '1'));
  const runs = Number(arg(ctx.args, '--runs', '2'));
  const certs = tmpDir('samsa-bench-certs-');
  execFileSync('bash', [join(REPO_ROOT, 'scripts', 'make-test-certs.sh'), certs], { stdio: 'ignore' });
  ctx.log(`preparing ${messages} × 100-byte messages...`);
  const file = await prepareMessageFile(messages);
  const b = await startBenchBroker(
    ctx,
    {
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': join(certs, 'broker.pem'),
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': join(certs, 'ca.pem'),
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_bench="bench-secret";',
    },
    'samsa-bench-secured',
    ['SSL', 'SASL_SSL'],
  );
  const security = (mode: Mode): string[] => {
    if (mode === 'PLAINTEXT') return ['-b', b.bootstrap];
    const tls = ['-b', `${b.broker.host}:${b.broker.listenerPort(mode)}`, '-X', `security.protocol=${mode}`, '-X', `ssl.ca.location=${join(certs, 'ca.pem')}`];
    return mode === 'SSL' ? tls : [...tls, '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=bench', '-X', 'sasl.password=bench-secret'];
  };
  const results: Record<Mode, number[]> = { PLAINTEXT: [], SSL: [], SASL_SSL: [] };
  try {
    for (let run = 0; run < runs; run++) {
      for (const mode of MODES) {
        const topic = `bench-${mode.toLowerCase()}-${run}`;
        await createBenchTopic(b, topic, partitions);
        const t = await timedKcat(['-P', ...security(mode), '-t', topic, '-l', file, '-X', 'acks=all', '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576']);
        const landed = await topicEndOffset(b, topic, partitions);
        if (landed !== messages) throw new Error(`only ${landed} of ${messages} messages reached ${topic} over ${mode}: ${t.stderr}`);
        const r = rates(messages, t.seconds);
        results[mode].push(r.msgPerSec);
        ctx.log(`run ${run + 1}, ${mode}: ${r.msgPerSec.toLocaleString('en')} msg/s, ${r.mbPerSec} MB/s`);
      }
    }
  } finally {
    await b.stop();
  }
  const best = Object.fromEntries(MODES.map((m) => [m, Math.max(...results[m])])) as Record<Mode, number>;
  const ratio = (m: Mode): number => Math.round((best[m] / best.PLAINTEXT) * 100) / 100;
  ctx.log(`best: PLAINTEXT ${best.PLAINTEXT.toLocaleString('en')}, SSL ${best.SSL.toLocaleString('en')} (${ratio('SSL')}×), SASL_SSL ${best.SASL_SSL.toLocaleString('en')} (${ratio('SASL_SSL')}×) msg/s (target TLS ≥ ${TARGET_RATIO}×)`);
  return { mode: 'secured', messages, partitions, runs: results, best, sslRatio: ratio('SSL'), saslSslRatio: ratio('SASL_SSL'), targetRatio: TARGET_RATIO };
}
