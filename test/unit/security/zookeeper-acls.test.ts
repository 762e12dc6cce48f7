import { expect } from 'chai';
import { loadBrokerConfig } from '../../../broker/index.js';
import { zookeeperSecurity } from '../../../broker/broker-security.js';
import { znodeAcls } from '../../../coordination/index.js';

const config = (...extra: string[]) => loadBrokerConfig({ overrides: ['broker.id=1', 'zookeeper.connect=127.0.0.1:2181', ...extra] });
const described = (path: string, secure = true) => znodeAcls(secure)(path).map((a) => `${a.id.scheme}:${a.id.id}=${(a as unknown as { permission: number }).permission}`);

describe('security > ZooKeeper znode ACLs (zookeeper.set.acl)', () => {
  it('secure: the creator may do everything, the world only read; sensitive roots are not world-readable; /consumers stays open', () => {
    expect(described('/brokers/topics/orders')).to.deep.equal(['auth:=31', 'world:anyone=1']);
    expect(described('/config/users/alice')).to.deep.equal(['auth:=31']);
    expect(described('/config/users')).to.deep.equal(['auth:=31']);
    expect(described('/config/usersx')).to.deep.equal(['auth:=31', 'world:anyone=1']);
    expect(described('/consumers')).to.deep.equal(['world:anyone=31']);
    expect(described('/brokers/topics/orders', false)).to.deep.equal(['world:anyone=31']);
  });

  it('broker keys: set.acl needs a digest identity; a username needs its password; neither: no auth', () => {
    expect(zookeeperSecurity(config())).to.deep.equal({});
    expect(zookeeperSecurity(config('zookeeper.set.acl=true', 'zookeeper.digest.username=samsa', 'zookeeper.digest.password=pw'))).to.deep.equal({ digest: { username: 'samsa', password: 'pw' }, secureAcls: true });
    expect(() => zookeeperSecurity(config('zookeeper.set.acl=true'))).to.throw(/zookeeper.set.acl=true needs .*zookeeper.digest.username/);
    expect(() => zookeeperSecurity(config('zookeeper.digest.username=samsa'))).to.throw(/without zookeeper.digest.password/);
  });
});
