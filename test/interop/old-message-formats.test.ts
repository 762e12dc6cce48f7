/**
 * Old clients' message formats on a real broker process: kcat (librdkafka) with
 * `api.version.request=false` and `broker.version.fallback` 0.9.0 speaks Produce v1 / Fetch v1
 * with MessageSet v0 (magic 0), with 0.10.0 Produce v2 / Fetch v2 with MessageSet v1 (magic 1).
 * The broker stores record batches v2 (every batch on disk parses as v2), answers the old fetches
 * with magic 0/1 and a current client reads the same records from the same log.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iterateBatches } from '../../protocol/index.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { randomName } from '../helpers/random.js';
import { kcat } from './kcat.js';

const N = 500;

function storedMagics(cluster: TestCluster, topic: string): Set<number> {
  const magics = new Set<number>();
  for (const b of cluster.brokers) {
    for (const dir of readdirSync(b.logDir).filter((d) => d.startsWith(`${topic}-`))) {
      const file = join(b.logDir, dir, '00000000000000000000.log');
      if (existsSync(file)) for (const batch of iterateBatches(readFileSync(file))) magics.add(batch.header.magic);
    }
  }
  return magics;
}

interface Line {
  partition: number;
  offset: number;
  timestamp: number;
  key: string;
  value: string;
}

function parse(stdout: string): Line[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [partition, offset, timestamp, key, value] = l.split('|');
      return { partition: Number(partition), offset: Number(offset), timestamp: Number(timestamp), key: key!, value: value! };
    });
}

/** Every message once, offsets dense from 0 per partition, keys matching values. */
function checkAll(lines: Line[]): void {
  expect(lines.length, 'messages consumed').to.equal(N);
  const values = new Set(lines.map((l) => l.value));
  expect(values.size).to.equal(N);
  for (const l of lines) expect(l.key).to.equal(l.value.replace('value-', 'key-'));
  const perPartition = new Map<number, number[]>();
  for (const l of lines) perPartition.set(l.partition, [...(perPartition.get(l.partition) ?? []), l.offset]);
  for (const [p, offsets] of perPartition) expect(offsets, `offsets of partition ${p}`).to.deep.equal(offsets.map((_, i) => i));
}

describe('interop > old message formats (magic 0/1) with kcat', function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await startCluster({ size: 1, properties: { 'num.partitions': 2, 'default.replication.factor': 1, 'auto.create.topics.enable': true } });
  });

  after(async () => {
    await cluster?.stop();
  });

  for (const [fallback, magic] of [['0.9.0', 0], ['0.10.0', 1]] as const) {
    for (const codec of ['none', 'gzip', 'snappy', 'lz4']) {
      it(`kcat with broker.version.fallback=${fallback} produces magic ${magic} (${codec}), stored as v2, consumed back by old and current fetches`, async () => {
        const topic = randomName(`msgv${magic}-${codec}`);
        const old = ['-X', 'api.version.request=false', '-X', `broker.version.fallback=${fallback}`];
        const lines = Array.from({ length: N }, (_, i) => `key-${i}:value-${i}`);
        const before = Date.now();
        const produced = await kcat(['-P', '-b', cluster.bootstrap, '-t', topic, '-K', ':', '-z', codec, '-X', 'message.timeout.ms=30000', ...old], lines.join('\n') + '\n');
        expect(produced.code, produced.stderr).to.equal(0);
        expect([...storedMagics(cluster, topic)], 'magic of the stored batches').to.deep.equal([2]);

        const format = ['-f', '%p|%o|%T|%k|%s\n'];
        const oldRead = await kcat(['-C', '-b', cluster.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', ...format, ...old]);
        expect(oldRead.code, oldRead.stderr).to.equal(0);
        const oldLines = parse(oldRead.stdout);
        checkAll(oldLines);
        const current = await kcat(['-C', '-b', cluster.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', ...format]);
        expect(current.code, current.stderr).to.equal(0);
        const currentLines = parse(current.stdout);
        checkAll(currentLines);
        if (magic === 1) {
          // Magic 1 carries the producer's CreateTime both ways.
          for (const l of [...oldLines, ...currentLines]) expect(l.timestamp).to.be.within(before - 1000, Date.now());
        } else {
          // Magic 0 has no timestamp: nothing to carry, none invented.
          for (const l of [...oldLines, ...currentLines]) expect(l.timestamp).to.be.at.most(0);
        }
      });
    }
  }
});
