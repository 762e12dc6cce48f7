import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadBrokerConfig, parseProperties, validateTopicOverrides, effectiveTopicConfig } from '../../../broker/index.js';
import { tmpDir } from '../../helpers/tmp.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';

function writeConfig(text: string): string {
  const file = join(tmpDir(), 'server.properties');
  writeFileSync(file, text);
  return file;
}

function loadError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const MINIMAL = 'broker.id=1\nzookeeper.connect=127.0.0.1:2181\n';

describe('config > properties parser', () => {
  it('reads =, : and space separators, comments and continuations', () => {
    const entries = parseProperties('# c\n! c\na=1\nb : 2\nc 3\nd=x,\\\n   y\ne=tab\\tend\n', 'f');
    expect(entries.map((e) => [e.key, e.value, e.line])).to.deep.equal([
      ['a', '1', 3],
      ['b', '2', 4],
      ['c', '3', 5],
      ['d', 'x,y', 6],
      ['e', 'tab\tend', 8],
    ]);
  });

  it('refuses a key set twice, naming both lines', () => {
    const err = loadError(() => parseProperties('a=1\n\na=2\n', 'x.properties'));
    expect(err.code).to.equal('CFG_SYNTAX');
    expect(err.message).to.contain('x.properties:3').and.contain('line 1');
  });
});

describe('config > broker config', () => {
  it('loads every shipped server properties file', () => {
    for (const name of ['server.properties', 'server-1.properties', 'server-2.properties', 'server-3.properties']) {
      const config = loadBrokerConfig({ file: join(REPO_ROOT, 'config', name) });
      expect(config.zookeeperConnect).to.equal('127.0.0.1:2181');
      expect(config.listeners.find((l) => l.name === 'PLAINTEXT')?.port).to.be.within(9092, 9094);
      expect(config.adminHttp?.port).to.be.within(8081, 8083);
    }
    const b2 = loadBrokerConfig({ file: join(REPO_ROOT, 'config', 'server-2.properties') });
    expect(b2.brokerId).to.equal(2);
    expect(b2.logDirs).to.deep.equal(['data/broker-2']);
  });

  it("applies Kafka's defaults", () => {
    const c = loadBrokerConfig({ file: writeConfig(MINIMAL) });
    expect(c.int('num.partitions')).to.equal(1);
    expect(c.int('default.replication.factor')).to.equal(1);
    expect(c.int('zookeeper.session.timeout.ms')).to.equal(18000);
    expect(c.int('log.segment.bytes')).to.equal(1073741824);
    expect(c.bool('unclean.leader.election.enable')).to.equal(false);
    expect(c.logRetentionMs).to.equal(168 * 3_600_000);
    expect(c.values.get('log.flush.interval.messages')?.text).to.equal('9223372036854775807');
    expect(c.values.get('num.partitions')?.source).to.equal('default');
  });

  it('lets --override win over the file and records the source', () => {
    const c = loadBrokerConfig({ file: writeConfig(MINIMAL + 'num.partitions=3\n'), overrides: ['num.partitions=6', 'broker.rack=r1'] });
    expect(c.int('num.partitions')).to.equal(6);
    expect(c.values.get('num.partitions')?.source).to.equal('override');
    expect(c.str('broker.rack')).to.equal('r1');
  });

  it('applies retention precedence ms > minutes > hours', () => {
    expect(loadBrokerConfig({ file: writeConfig(MINIMAL + 'log.retention.hours=1\n') }).logRetentionMs).to.equal(3_600_000);
    expect(loadBrokerConfig({ file: writeConfig(MINIMAL + 'log.retention.hours=1\nlog.retention.minutes=2\n') }).logRetentionMs).to.equal(120_000);
    expect(loadBrokerConfig({ file: writeConfig(MINIMAL + 'log.retention.minutes=2\nlog.retention.ms=5\n') }).logRetentionMs).to.equal(5);
    expect(loadBrokerConfig({ file: writeConfig(MINIMAL + 'log.retention.hours=-1\n') }).logRetentionMs).to.equal(-1);
  });

  it('accepts Kafka keys that have no effect here and reports them', () => {
    const c = loadBrokerConfig({ file: writeConfig(MINIMAL + 'num.network.threads=3\nnum.io.threads=8\n') });
    expect(c.ignoredKeys).to.deep.equal(['num.network.threads', 'num.io.threads']);
  });

  const rejections: Array<[string, string, string, string[]]> = [
    ['an unknown key, with a suggestion', MINIMAL + 'num.partition=3\n', 'CFG_UNKNOWN_KEY', ['num.partition', ':3', 'did you mean "num.partitions"']],
    ['a non-integer', MINIMAL + 'num.partitions=three\n', 'CFG_INVALID_VALUE', ['num.partitions', ':3', 'an integer in [1, 2147483647]']],
    ['a value below the range', MINIMAL + 'num.partitions=0\n', 'CFG_INVALID_VALUE', ['num.partitions', 'an integer in [1, 2147483647]']],
    ['an int overflow', MINIMAL + 'num.partitions=99999999999\n', 'CFG_INVALID_VALUE', ['num.partitions']],
    ['a bad boolean', MINIMAL + 'auto.create.topics.enable=yes\n', 'CFG_INVALID_VALUE', ['auto.create.topics.enable', 'true or false']],
    ['a bad enum', MINIMAL + 'log.cleanup.policy=shred\n', 'CFG_INVALID_VALUE', ['log.cleanup.policy', 'delete, compact']],
    ['a malformed listener', MINIMAL + 'listeners=PLAINTEXT:9092\n', 'CFG_INVALID_VALUE', ['listeners', 'NAME://host:port']],
    ['a bad zookeeper.connect', 'broker.id=1\nzookeeper.connect=localhost\n', 'CFG_INVALID_VALUE', ['zookeeper.connect', 'host:port']],
    ['a missing zookeeper.connect', 'broker.id=1\n', 'CFG_MISSING_REQUIRED', ['zookeeper.connect']],
    ['a listener without protocol', MINIMAL + 'listeners=PLAINTEXT://:9092,INTERNAL://:19092,EXTERNAL://:9093\n', 'CFG_INCONSISTENT', ['EXTERNAL', 'listener.security.protocol.map']],
    ['an unknown inter-broker listener', MINIMAL + 'inter.broker.listener.name=REPLICATION\n', 'CFG_INCONSISTENT', ['REPLICATION']],
    ['a wildcard advertised address', MINIMAL + 'advertised.listeners=PLAINTEXT://0.0.0.0:9092\n', 'CFG_INCONSISTENT', ['wildcard']],
    ['a broker.id above the reserved range', 'broker.id=5000\nzookeeper.connect=127.0.0.1:2181\n', 'CFG_INCONSISTENT', ['reserved.broker.max.id']],
  ];
  for (const [what, text, code, parts] of rejections) {
    it(`refuses ${what}`, () => {
      const file = writeConfig(text);
      const err = loadError(() => loadBrokerConfig({ file }));
      expect(err.code).to.equal(code);
      for (const p of parts) expect(err.message).to.contain(p);
      if (code !== 'CFG_MISSING_REQUIRED' && code !== 'CFG_INCONSISTENT') expect(err.message).to.contain(file);
    });
  }

  it('refuses a bad --override, naming it', () => {
    const err = loadError(() => loadBrokerConfig({ file: writeConfig(MINIMAL), overrides: ['min.insync.replicas=-2'] }));
    expect(err.message).to.contain('min.insync.replicas').and.contain('--override');
    expect(loadError(() => loadBrokerConfig({ file: writeConfig(MINIMAL), overrides: ['nonsense'] })).code).to.equal('CFG_SYNTAX');
  });

  it('refuses an unreadable file', () => {
    expect(loadError(() => loadBrokerConfig({ file: '/nonexistent/server.properties' })).code).to.equal('CFG_FILE_UNREADABLE');
  });

  it('is frozen', () => {
    const c = loadBrokerConfig({ file: writeConfig(MINIMAL) });
    expect(Object.isFrozen(c)).to.equal(true);
  });
});

describe('config > topic config', () => {
  const broker = () => loadBrokerConfig({ file: writeConfig(MINIMAL + 'log.retention.hours=2\nmin.insync.replicas=2\n') });

  it('validates and normalises overrides', () => {
    expect(validateTopicOverrides({ 'cleanup.policy': 'compact,delete', 'retention.ms': '1000' })).to.deep.equal({
      'cleanup.policy': 'compact,delete',
      'retention.ms': '1000',
    });
  });

  it('refuses unknown keys and bad values', () => {
    expect(loadError(() => validateTopicOverrides({ 'retention.mss': '1' })).message).to.contain('did you mean "retention.ms"');
    expect(loadError(() => validateTopicOverrides({ 'min.insync.replicas': '0' })).code).to.equal('CFG_INVALID_VALUE');
  });

  it('resolves effective values from override, broker, then default', () => {
    const eff = effectiveTopicConfig({ 'segment.bytes': '1024' }, broker());
    expect(eff.get('segment.bytes')).to.include({ value: 1024, source: 'topic' });
    expect(eff.get('retention.ms')).to.include({ value: 7_200_000, source: 'broker' });
    expect(eff.get('min.insync.replicas')).to.include({ value: 2, source: 'broker' });
    expect(eff.get('message.downconversion.enable')).to.include({ value: true, source: 'default' });
  });
});
