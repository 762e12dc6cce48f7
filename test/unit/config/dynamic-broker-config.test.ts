import { expect } from 'chai';
import { DynamicBrokerConfig, loadBrokerConfig, validateDynamicBrokerConfigs } from '../../../broker/config/index.js';
import { applyConfigOps } from '../../../broker/handlers/index.js';
import { topicConfigDef } from '../../../broker/config/index.js';

const base = () => loadBrokerConfig({ overrides: ['broker.id=1', 'zookeeper.connect=127.0.0.1:2181', 'message.max.bytes=3000'] });

describe('config > dynamic broker configs', () => {
  it('layers per-broker over cluster default over static over default, and reports what changed', () => {
    const d = new DynamicBrokerConfig(base());
    expect(d.current.int('message.max.bytes')).to.equal(3000);
    expect(d.update({ 'message.max.bytes': '2000', 'log.retention.ms': '60000' }, {})).to.have.members(['message.max.bytes', 'log.retention.ms']);
    expect(d.current.int('message.max.bytes')).to.equal(2000);
    expect(d.current.logRetentionMs).to.equal(60000);
    expect(d.update({ 'message.max.bytes': '2000', 'log.retention.ms': '60000' }, { 'message.max.bytes': '5000' })).to.deep.equal(['message.max.bytes']);
    expect(d.current.int('message.max.bytes')).to.equal(5000);
    expect(d.layers('message.max.bytes').map((l) => [l.source, l.text])).to.deep.equal([[2, '5000'], [3, '2000'], [4, '3000'], [5, '1048588']]);
    // Removing both layers falls back to server.properties.
    d.update({}, {});
    expect(d.current.int('message.max.bytes')).to.equal(3000);
    expect(d.current.logRetentionMs).to.equal(7 * 24 * 3_600_000);
  });

  it('a stored key that cannot be dynamic is skipped with a reason, never fatal', () => {
    const skipped: string[] = [];
    const d = new DynamicBrokerConfig(base());
    d.update({ 'broker.id': '9', 'min.insync.replicas': 'two' }, { 'min.insync.replicas': '2' }, (k) => skipped.push(k));
    expect(skipped).to.deep.equal(['broker.id', 'min.insync.replicas']);
    expect(d.current.brokerId).to.equal(1);
    expect(d.current.int('min.insync.replicas')).to.equal(2);
  });

  it('refuses unknown keys, keys Kafka never changes live, keys Samsa reads only at start-up, and bad values', () => {
    const code = (c: Record<string, string>): string | undefined => {
      try {
        validateDynamicBrokerConfigs(c);
        return undefined;
      } catch (err) {
        return `${(err as { code: string }).code}: ${(err as Error).message}`;
      }
    };
    expect(code({ 'no.such.key': '1' })).to.match(/^CFG_UNKNOWN_KEY/);
    expect(code({ 'broker.id': '2' })).to.equal('CFG_NOT_DYNAMIC: Cannot update these configs dynamically: broker.id');
    expect(code({ 'num.io.threads': '2' })).to.match(/^CFG_NOT_DYNAMIC: Samsa applies these configs only at start-up/);
    expect(code({ 'message.max.bytes': '-5' })).to.match(/^CFG_INVALID_VALUE/);
    expect(validateDynamicBrokerConfigs({ 'log.cleanup.policy': 'compact,delete', 'unclean.leader.election.enable': 'true' })).to.deep.equal({ 'log.cleanup.policy': 'compact,delete', 'unclean.leader.election.enable': 'true' });
  });

  it("takes Kafka's Kerberos keys as Kafka does (stored, no effect: Samsa has no GSSAPI), with their types checked", () => {
    expect(validateDynamicBrokerConfigs({ 'sasl.kerberos.min.time.before.relogin': '58000' })).to.deep.equal({ 'sasl.kerberos.min.time.before.relogin': '58000' });
    expect(() => validateDynamicBrokerConfigs({ 'sasl.kerberos.min.time.before.relogin': 'soon' })).to.throw(/sasl.kerberos.min.time.before.relogin/);
    const d = new DynamicBrokerConfig(base());
    const skipped: string[] = [];
    d.update({}, { 'sasl.kerberos.min.time.before.relogin': '58000' }, (k) => skipped.push(k));
    expect(skipped).to.deep.equal([]);
    expect(d.layers('sasl.kerberos.min.time.before.relogin').map((l) => [l.source, l.text])).to.deep.equal([[2, '58000']]);
  });

  it('IncrementalAlterConfigs operations: SET, DELETE, APPEND/SUBTRACT on lists from the default, duplicates refused', () => {
    const op = (name: string, configOperation: number, value: string | null) => ({ name, configOperation, value });
    expect(applyConfigOps({ a: '1' }, [op('retention.ms', 0, '5'), op('a', 1, null)], topicConfigDef)).to.deep.equal({ 'retention.ms': '5' });
    expect(applyConfigOps({}, [op('cleanup.policy', 2, 'compact')], topicConfigDef)).to.deep.equal({ 'cleanup.policy': 'delete,compact' });
    expect(applyConfigOps({ 'cleanup.policy': 'delete,compact' }, [op('cleanup.policy', 3, 'delete')], topicConfigDef)).to.deep.equal({ 'cleanup.policy': 'compact' });
    expect(() => applyConfigOps({}, [op('retention.ms', 2, '1')], topicConfigDef)).to.throw(/append is not allowed/);
    expect(() => applyConfigOps({}, [op('retention.ms', 0, '1'), op('retention.ms', 1, null)], topicConfigDef)).to.throw(/duplicate config keys/);
    expect(() => applyConfigOps({}, [op('retention.ms', 9, '1')], topicConfigDef)).to.throw(/Unknown config operation/);
  });
});
