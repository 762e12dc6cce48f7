import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assignmentOf,
  CoordinationError,
  decodeBrokerInfo,
  decodeClusterId,
  decodeConfigChange,
  decodeController,
  decodeControllerEpoch,
  decodeEntityConfig,
  decodePartitionState,
  decodeProducerIdBlock,
  decodeReassignPartitions,
  decodeTopicAssignment,
  encodeBrokerInfo,
  encodeClusterId,
  encodeConfigChange,
  encodeController,
  encodeControllerEpoch,
  encodeEntityConfig,
  encodeIsrChangeNotification,
  encodeLogDirEventNotification,
  decodeLogDirEventNotification,
  encodePartitionState,
  encodePreferredReplicaElection,
  encodeProducerIdBlock,
  encodeReassignPartitions,
  encodeTopicAssignment,
  generateClusterId,
  parseConnectString,
} from '../../../coordination/index.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';

const fixture = (name: string): string => readFileSync(join(REPO_ROOT, 'test/fixtures/zk', name), 'utf8').trim();
const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('coordination > znode codecs match Kafka byte for byte', () => {
  it('/brokers/ids/<id> v4 with rack and two listeners', () => {
    const text = fixture('broker-v4-rack.json');
    const info = decodeBrokerInfo(1, buf(text), '/brokers/ids/1');
    expect(info).to.deep.include({ id: 1, rack: '/default/rack0', jmxPort: 21006, timestamp: 1580886124398n, version: 4 });
    expect(info.endpoints).to.deep.equal([
      { listener: 'PLAINTEXT', host: '192.168.2.242', port: 9092, securityProtocol: 'PLAINTEXT' },
      { listener: 'SSL', host: '192.168.2.242', port: 9093, securityProtocol: 'SSL' },
    ]);
    expect(encodeBrokerInfo(info).toString()).to.equal(text);
  });

  it('/brokers/ids/<id> v4 without rack and v5 with features', () => {
    for (const name of ['broker-v4.json', 'broker-v5.json']) {
      const text = fixture(name);
      expect(encodeBrokerInfo(decodeBrokerInfo(0, buf(text), name)).toString(), name).to.equal(text);
    }
  });

  it('host/port come from the PLAINTEXT endpoint, else null/-1', () => {
    const json = JSON.parse(
      encodeBrokerInfo({ id: 1, endpoints: [{ listener: 'SECURE', host: 'h', port: 1, securityProtocol: 'SSL' }], rack: null, jmxPort: -1, timestamp: 5n, version: 4 }).toString(),
    ) as Record<string, unknown>;
    expect(json['host']).to.equal(null);
    expect(json['port']).to.equal(-1);
    expect(json['timestamp']).to.equal('5');
  });

  it('/controller and /controller_epoch', () => {
    expect(encodeController(1, 1600000000000n).toString()).to.equal(fixture('controller.json'));
    expect(decodeController(buf(fixture('controller.json')))).to.deep.equal({ brokerId: 1, timestamp: 1600000000000n });
    expect(decodeController(buf('3')).brokerId).to.equal(3);
    expect(encodeControllerEpoch(5).toString()).to.equal('5');
    expect(decodeControllerEpoch(buf('12'))).to.equal(12);
    expect(() => decodeControllerEpoch(buf('{"x":1}'))).to.throw(CoordinationError, /not an integer/);
  });

  it('/brokers/topics/<t> and partition state', () => {
    const text = fixture('topic-orders.json');
    const a = decodeTopicAssignment(buf(text), '/brokers/topics/orders');
    expect([...a.partitions.entries()]).to.deep.equal([[0, [1, 2, 3]], [1, [2, 3, 1]], [2, [3, 1, 2]]]);
    expect(encodeTopicAssignment(a).toString()).to.equal(text);
    expect(encodeTopicAssignment(assignmentOf(new Map([[1, [2]], [0, [1]]]))).toString()).to.equal('{"version":2,"partitions":{"0":[1],"1":[2]},"adding_replicas":{},"removing_replicas":{}}');
    const state = fixture('partition-state.json');
    const s = decodePartitionState(buf(state), 'state');
    expect(s).to.deep.equal({ controllerEpoch: 3, leader: 1, leaderEpoch: 7, isr: [1, 2, 3] });
    expect(encodePartitionState(s).toString()).to.equal(state);
  });

  it('config, config change, admin and notification nodes', () => {
    expect(encodeEntityConfig({ 'cleanup.policy': 'compact' }).toString()).to.equal(fixture('config-topic-orders.json'));
    expect(decodeEntityConfig(buf(fixture('config-topic-orders.json')), 'c')).to.deep.equal({ 'cleanup.policy': 'compact' });
    expect(encodeConfigChange('topics/foo').toString()).to.equal(fixture('config-change.json'));
    expect(decodeConfigChange(buf('{"version":1,"entity_type":"topics","entity_name":"foo"}'), 'c')).to.equal('topics/foo');
    expect(encodePreferredReplicaElection([{ topic: 'foo', partition: 0 }]).toString()).to.equal(fixture('preferred-replica-election.json'));
    expect(encodeIsrChangeNotification([{ topic: 'foo', partition: 0 }]).toString()).to.equal(fixture('isr-change-notification.json'));
    expect(encodeReassignPartitions([{ topic: 'foo', partition: 0, replicas: [1, 2, 3] }]).toString()).to.equal(fixture('reassign-partitions.json'));
    expect(decodeReassignPartitions(buf(fixture('reassign-partitions.json')), 'r')[0]!.replicas).to.deep.equal([1, 2, 3]);
    expect(encodeLogDirEventNotification(1).toString()).to.equal(fixture('log-dir-event-notification.json'));
    expect(decodeLogDirEventNotification(buf(fixture('log-dir-event-notification.json')), 'l')).to.deep.equal({ brokerId: 1, event: 1 });
    expect(() => decodeLogDirEventNotification(buf('{"version":1}'), '/log_dir_event_notification/log_dir_event_0000000001')).to.throw(/log_dir_event_0000000001/);
  });

  it('/cluster/id and /latest_producer_id_block keep their string quirks', () => {
    expect(encodeClusterId('WtiHc2b2QV2Ux4Qzw4wGGA').toString()).to.equal(fixture('cluster-id.json'));
    expect(decodeClusterId(buf(fixture('cluster-id.json')))).to.equal('WtiHc2b2QV2Ux4Qzw4wGGA');
    expect(generateClusterId()).to.match(/^[A-Za-z0-9_-]{22}$/);
    const block = { brokerId: 1, blockStart: 0n, blockEnd: 999n };
    expect(encodeProducerIdBlock(block).toString()).to.equal(fixture('producer-id-block.json'));
    expect(decodeProducerIdBlock(buf(fixture('producer-id-block.json')))).to.deep.equal(block);
    expect(decodeProducerIdBlock(null)).to.equal(null);
  });

  it('malformed znodes are CRD_BAD_DATA errors naming the path', () => {
    for (const bad of ['', 'not json', '[1]', '{"partitions":{"x":[1]}}', '{"partitions":{"0":["a"]}}']) {
      let caught: unknown;
      try {
        decodeTopicAssignment(buf(bad), '/brokers/topics/t');
      } catch (err) {
        caught = err;
      }
      expect((caught as CoordinationError | undefined)?.code, bad).to.equal('CRD_BAD_DATA');
      expect((caught as Error).message).to.contain('/brokers/topics/t');
    }
  });

  it('connect strings: servers and chroot', () => {
    expect(parseConnectString('a:1,b:2/kafka/prod')).to.deep.equal({ servers: 'a:1,b:2', chroot: '/kafka/prod' });
    expect(parseConnectString('a:1')).to.deep.equal({ servers: 'a:1', chroot: '' });
    expect(parseConnectString('a:1/')).to.deep.equal({ servers: 'a:1', chroot: '' });
  });
});
