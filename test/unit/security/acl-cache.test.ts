import { expect } from 'chai';
import { AclCache, AclOperation as Op, AclPermission, PatternType, ResourceType as Res, type AccessControlEntry } from '../../../broker/security/index.js';

const alice = { principal: 'User:alice', host: '10.0.0.1' };
const bob = { principal: 'User:bob', host: '10.0.0.2' };
const allow = (principal: string, operation: number, host = '*'): AccessControlEntry => ({ principal, host, operation: operation as never, permission: AclPermission.ALLOW });
const denyAcl = (principal: string, operation: number, host = '*'): AccessControlEntry => ({ principal, host, operation: operation as never, permission: AclPermission.DENY });
const literal = (name: string, resourceType: number = Res.TOPIC) => ({ resourceType: resourceType as never, name, patternType: PatternType.LITERAL });
const prefixed = (name: string, resourceType: number = Res.TOPIC) => ({ resourceType: resourceType as never, name, patternType: PatternType.PREFIXED });

describe('security > ACL decisions (AclAuthorizer.authorizeAction)', () => {
  const cache = (allowEveryone = false) => new AclCache({ superUsers: new Set(['User:admin']), allowEveryoneIfNoAclFound: allowEveryone });

  it('refuses a resource with no ACL unless allow.everyone.if.no.acl.found; super users pass regardless', () => {
    expect(cache().authorize(alice, Op.READ, Res.TOPIC, 't')).to.equal(false);
    expect(cache(true).authorize(alice, Op.READ, Res.TOPIC, 't')).to.equal(true);
    expect(cache().authorize({ principal: 'User:admin', host: '1.2.3.4' }, Op.ALTER, Res.CLUSTER, 'kafka-cluster')).to.equal(true);
  });

  it('once a resource has any ACL, allow.everyone no longer applies to it', () => {
    const c = cache(true);
    c.set(literal('t'), [allow('User:bob', Op.READ)]);
    expect(c.authorize(alice, Op.READ, Res.TOPIC, 't')).to.equal(false);
    expect(c.authorize(bob, Op.READ, Res.TOPIC, 't')).to.equal(true);
    expect(c.authorize(alice, Op.READ, Res.TOPIC, 'other')).to.equal(true);
  });

  it('DENY beats ALLOW, from any matching pattern (literal, wildcard, prefix)', () => {
    const c = cache();
    c.set(literal('orders'), [allow('User:alice', Op.WRITE)]);
    expect(c.authorize(alice, Op.WRITE, Res.TOPIC, 'orders')).to.equal(true);
    c.set(prefixed('ord'), [denyAcl('User:*', Op.ALL)]);
    expect(c.authorize(alice, Op.WRITE, Res.TOPIC, 'orders')).to.equal(false);
    c.set(prefixed('ord'), []);
    c.set(literal('*'), [denyAcl('User:alice', Op.WRITE, '10.0.0.1')]);
    expect(c.authorize(alice, Op.WRITE, Res.TOPIC, 'orders')).to.equal(false);
    expect(c.authorize({ ...alice, host: '10.0.0.9' }, Op.WRITE, Res.TOPIC, 'orders')).to.equal(true);
  });

  it('PREFIXED patterns match names that start with them, only of their resource type', () => {
    const c = cache();
    c.set(prefixed('app-'), [allow('User:alice', Op.READ)]);
    expect(c.authorize(alice, Op.READ, Res.TOPIC, 'app-events')).to.equal(true);
    expect(c.authorize(alice, Op.READ, Res.TOPIC, 'ap')).to.equal(false);
    expect(c.authorize(alice, Op.READ, Res.GROUP, 'app-events')).to.equal(false);
  });

  it('Describe is implied by Read/Write/Delete/Alter, DescribeConfigs by AlterConfigs, and All grants everything', () => {
    const c = cache();
    for (const [op, name] of [[Op.READ, 'r'], [Op.WRITE, 'w'], [Op.DELETE, 'd'], [Op.ALTER, 'a']] as const) {
      c.set(literal(name), [allow('User:alice', op)]);
      expect(c.authorize(alice, Op.DESCRIBE, Res.TOPIC, name), name).to.equal(true);
    }
    c.set(literal('cfg'), [allow('User:alice', Op.ALTER_CONFIGS)]);
    expect(c.authorize(alice, Op.DESCRIBE_CONFIGS, Res.TOPIC, 'cfg')).to.equal(true);
    expect(c.authorize(alice, Op.READ, Res.TOPIC, 'cfg')).to.equal(false);
    c.set(literal('all'), [allow('User:*', Op.ALL)]);
    expect(c.authorize(bob, Op.DELETE, Res.TOPIC, 'all')).to.equal(true);
    // A DENY of Read does not refuse Describe that Write implies (Kafka checks DENY for the operation itself).
    c.set(literal('mixed'), [allow('User:alice', Op.WRITE), denyAcl('User:alice', Op.READ)]);
    expect(c.authorize(alice, Op.DESCRIBE, Res.TOPIC, 'mixed')).to.equal(true);
    expect(c.authorize(alice, Op.READ, Res.TOPIC, 'mixed')).to.equal(false);
  });

  it('authorizeByResourceType: some topic Write allowed that no DENY covers', () => {
    const c = cache();
    expect(c.authorizeByResourceType(alice, Op.WRITE, Res.TOPIC)).to.equal(false);
    c.set(prefixed('app-'), [allow('User:alice', Op.WRITE)]);
    expect(c.authorizeByResourceType(alice, Op.WRITE, Res.TOPIC)).to.equal(true);
    c.set(prefixed('app'), [denyAcl('User:alice', Op.WRITE)]);
    expect(c.authorizeByResourceType(alice, Op.WRITE, Res.TOPIC)).to.equal(false);
    c.set(literal('logs'), [allow('User:*', Op.WRITE)]);
    expect(c.authorizeByResourceType(alice, Op.WRITE, Res.TOPIC)).to.equal(true);
    expect(c.authorizeByResourceType(bob, Op.WRITE, Res.GROUP)).to.equal(false);
  });
});
