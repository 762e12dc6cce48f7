import { expect } from 'chai';
import { pino } from 'pino';
import { AclAuthorizer, AclOperation as Op, AclPermission, PatternType, ResourceType as Res, type AclBinding } from '../../../broker/security/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { waitFor } from '../../helpers/wait-for.js';

const logger = pino({ level: 'silent' });
const alice = { principal: 'User:alice', host: '127.0.0.1' };
const binding = (name: string, operation: number, permission: number = AclPermission.ALLOW, patternType: number = PatternType.LITERAL): AclBinding => ({
  pattern: { resourceType: Res.TOPIC, name, patternType: patternType as never },
  entry: { principal: 'User:alice', host: '*', operation: operation as never, permission: permission as never },
});
const anyFilter = { resourceType: Res.ANY, name: null, patternType: PatternType.ANY, principal: null, host: null, operation: Op.ANY, permission: AclPermission.ANY };

describe('security > AclAuthorizer over ZooKeeper (fake store)', () => {
  const started: AclAuthorizer[] = [];
  afterEach(() => started.splice(0).forEach((a) => a.stop()));
  const authorizer = async (zk: FakeZooKeeper): Promise<AclAuthorizer> => {
    const a = new AclAuthorizer({ store: zk.session(), logger, superUsers: new Set(), allowEveryoneIfNoAclFound: false });
    await a.start();
    started.push(a);
    return a;
  };

  it("writes Kafka's znodes and JSON, with a change notification per resource", async () => {
    const zk = new FakeZooKeeper();
    const a = await authorizer(zk);
    expect(await a.createAcls([binding('orders', Op.READ), binding('orders', Op.WRITE), binding('app-', Op.READ, AclPermission.ALLOW, PatternType.PREFIXED)])).to.deep.equal([undefined, undefined, undefined]);
    expect(JSON.parse(zk.text('/kafka-acl/Topic/orders')!)).to.deep.equal({
      version: 1,
      acls: [
        { principal: 'User:alice', permissionType: 'Allow', operation: 'Read', host: '*' },
        { principal: 'User:alice', permissionType: 'Allow', operation: 'Write', host: '*' },
      ],
    });
    expect(JSON.parse(zk.text('/kafka-acl-extended/prefixed/Topic/app-')!).acls).to.have.length(1);
    const literalChanges = await zk.session().getChildren('/kafka-acl-changes');
    expect(literalChanges).to.have.length(1);
    expect(zk.text(`/kafka-acl-changes/${literalChanges[0]}`)).to.equal('TOPIC:orders');
    const extended = await zk.session().getChildren('/kafka-acl-extended-changes');
    expect(JSON.parse(zk.text(`/kafka-acl-extended-changes/${extended[0]}`)!)).to.deep.equal({ version: 1, resourceType: 'TOPIC', name: 'app-', patternType: 'PREFIXED' });
    // Creating the same ACL again changes nothing.
    await a.createAcls([binding('orders', Op.READ)]);
    expect(JSON.parse(zk.text('/kafka-acl/Topic/orders')!).acls).to.have.length(2);
  });

  it('another broker sees a change through the notification, and a full load at start', async () => {
    const zk = new FakeZooKeeper();
    const writer = await authorizer(zk);
    await writer.createAcls([binding('early', Op.READ)]);
    const reader = await authorizer(zk);
    expect(reader.authorize(alice, Op.READ, Res.TOPIC, 'early')).to.equal(true);
    await writer.createAcls([binding('late', Op.WRITE)]);
    await waitFor(() => reader.authorize(alice, Op.WRITE, Res.TOPIC, 'late'), 'the reader applies the change notification');
    const [outcome] = await writer.deleteAcls([{ ...anyFilter, name: 'late', patternType: PatternType.LITERAL }]);
    expect(outcome!.deleted.map((b) => b.pattern.name)).to.deep.equal(['late']);
    await waitFor(() => !reader.authorize(alice, Op.WRITE, Res.TOPIC, 'late'), 'the reader applies the deletion');
    expect(await zk.session().exists('/kafka-acl/Topic/late')).to.equal(null);
  });

  it('concurrent writers on two brokers both land (conditional writes on the znode version)', async () => {
    const zk = new FakeZooKeeper();
    const [a, b] = [await authorizer(zk), await authorizer(zk)];
    await Promise.all([
      a.createAcls([binding('shared', Op.READ)]),
      b.createAcls([binding('shared', Op.WRITE)]),
      a.createAcls([binding('shared', Op.DELETE)]),
      b.createAcls([binding('shared', Op.ALTER)]),
    ]);
    expect(JSON.parse(zk.text('/kafka-acl/Topic/shared')!).acls.map((e: { operation: string }) => e.operation).sort()).to.deep.equal(['Alter', 'Delete', 'Read', 'Write']);
    await waitFor(() => a.acls(anyFilter).length === 4 && b.acls(anyFilter).length === 4, 'both caches hold the 4 ACLs');
  });

  it('DescribeAcls MATCH filters return the literal, wildcard and prefix patterns that apply to a name', async () => {
    const zk = new FakeZooKeeper();
    const a = await authorizer(zk);
    await a.createAcls([binding('app-x', Op.READ), binding('*', Op.READ), binding('app-', Op.READ, AclPermission.ALLOW, PatternType.PREFIXED), binding('other', Op.READ)]);
    const names = a.acls({ ...anyFilter, resourceType: Res.TOPIC, name: 'app-x', patternType: PatternType.MATCH }).map((b) => b.pattern.name).sort();
    expect(names).to.deep.equal(['*', 'app-', 'app-x']);
  });
});
