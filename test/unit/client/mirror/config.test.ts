/**
 * The mirror's configuration: MM2's keys and defaults, per-flow overrides, and errors that name
 * the key, the file and line and what is allowed.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProperties } from '../../../../broker/config/index.js';
import { mirror } from '../../../../client/index.js';
import { REPO_ROOT } from '../../../helpers/zookeeper.js';

function parse(text: string): mirror.MirrorMakerConfig {
  return mirror.parseMirrorMakerConfig(parseProperties(text, 'mm2.properties'), 'mm2.properties');
}

const BASE = 'clusters = A, B\nA.bootstrap.servers = h1:9092\nB.bootstrap.servers = h2:9092\n';

describe('client > mirror > config', () => {
  it("MM2's defaults for an enabled flow", () => {
    const c = parse(BASE + 'A->B.enabled = true\n');
    expect(c.flows).to.have.length(1);
    const f = c.flows[0]!;
    expect([f.source, f.target, f.sourceBootstrap, f.targetBootstrap]).to.deep.equal(['A', 'B', ['h1:9092'], ['h2:9092']]);
    expect(f.policy.name).to.equal('DefaultReplicationPolicy');
    expect(f.replicationFactor).to.equal(2);
    expect([f.offsetSyncsTopicReplicationFactor, f.checkpointsTopicReplicationFactor, f.heartbeatsTopicReplicationFactor, f.offsetStorageReplicationFactor]).to.deep.equal([3, 3, 3, 3]);
    expect([f.refreshTopicsIntervalMs, f.syncTopicConfigsIntervalMs, f.emitCheckpointsIntervalMs, f.emitHeartbeatsIntervalMs]).to.deep.equal([600_000, 600_000, 60_000, 1_000]);
    expect(f.syncGroupOffsetsIntervalMs).to.equal(null);
    expect([f.offsetLagMax, f.tasksMax, f.offsetFlushIntervalMs, f.exactlyOnce]).to.deep.equal([100, 1, 10_000, false]);
    expect(f.topics.exclude!.test('mm2-offsets.A.internal')).to.equal(true);
    expect(f.groups.exclude!.test('console-consumer-123')).to.equal(true);
    expect(f.configPropertiesExclude!.test('min.insync.replicas')).to.equal(true);
    expect(c.httpListener).to.equal(null);
  });

  it('flow keys for every flow, overridden per flow; features switched off by their .enabled key', () => {
    const c = parse(
      BASE +
        'A->B.enabled = true\nB->A.enabled = true\ntasks.max = 2\nA->B.tasks.max = 4\nemit.heartbeats.enabled = false\n' +
        'B->A.replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy\nsync.group.offsets.enabled = true\nadmin.http.listener = 127.0.0.1:8090\n',
    );
    const [ab, ba] = c.flows;
    expect([ab!.tasksMax, ba!.tasksMax]).to.deep.equal([4, 2]);
    expect([ab!.emitHeartbeatsIntervalMs, ba!.emitHeartbeatsIntervalMs]).to.deep.equal([null, null]);
    expect([ab!.policy.name, ba!.policy.name]).to.deep.equal(['DefaultReplicationPolicy', 'IdentityReplicationPolicy']);
    expect(ab!.syncGroupOffsetsIntervalMs).to.equal(60_000);
    expect(c.httpListener).to.deep.equal({ host: '127.0.0.1', port: 8090 });
  });

  it('refuses what it cannot do, naming the key, the line and what is allowed', () => {
    const table: Array<[string, RegExp]> = [
      ['A.bootstrap.servers = h:1\n', /clusters is required/],
      ['clusters = A\n', /at least two aliases/],
      [BASE, /no flow is enabled: set e.g. A->B.enabled = true/],
      [BASE + 'A->B.enabled = true\ntopic = x\n', /mm2.properties:5: unknown key "topic" \(allowed: clusters, admin.http.listener; .*topics.exclude/],
      [BASE + 'A->C.enabled = true\n', /mm2.properties:4: A->C.enabled: "C" is not in clusters \(A, B\)/],
      [BASE + 'A->B.enabled = true\nA->B.tasks = 2\n', /unknown flow key "tasks" in A->B.tasks/],
      [BASE + 'A->B.enabled = yes\n', /enabled wants true or false, got "yes"/],
      [BASE + 'A->B.enabled = true\ntasks.max = 0\n', /tasks.max must be at least 1, got 0/],
      [BASE + 'A->B.enabled = true\nreplication.factor = 0\n', /replication.factor must be -1 or at least 1/],
      [BASE + 'A->B.enabled = true\nreplication.policy.class = com.example.Mine\n', /wants DefaultReplicationPolicy or IdentityReplicationPolicy/],
      [BASE + 'A->B.enabled = true\ntopics = orders, (\n', /topics: bad regular expression/],
      [BASE + 'A->B.enabled = true\nexactly.once.source.support = maybe\n', /exactly.once.source.support/],
      ['clusters = A, B\nA.bootstrap.servers = h:1\nA->B.enabled = true\n', /B.bootstrap.servers is required for cluster B/],
      [BASE + 'A->B.enabled = true\nadmin.http.listener = nowhere\n', /admin.http.listener wants host:port/],
    ];
    for (const [text, message] of table) {
      expect(() => parse(text), text).to.throw(message).with.property('code', 'CLI_INVALID_CONFIG');
    }
  });

  it('the shipped config/mirror-maker.properties is valid', () => {
    const file = join(REPO_ROOT, 'config', 'mirror-maker.properties');
    const c = mirror.parseMirrorMakerConfig(parseProperties(readFileSync(file, 'utf8'), file), file);
    expect(c.flows.map((f) => `${f.source}->${f.target}`)).to.deep.equal(['A->B']);
    expect(c.flows[0]!.replicationFactor).to.equal(1);
    expect(c.httpListener).to.deep.equal({ host: '127.0.0.1', port: 8090 });
  });
});
