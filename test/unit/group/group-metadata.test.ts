import { expect } from 'chai';
import { GroupMetadata } from '../../../broker/group/group-metadata.js';
import { MemberMetadata } from '../../../broker/group/member-metadata.js';
import { KeyedSerialQueue } from '../../../broker/group/serial-queue.js';
import { GroupCoordinatorError, javaStringHashCode, partitionFor } from '../../../broker/group/index.js';

function member(id: string, protocols: string[], instance: string | null = null): MemberMetadata {
  return new MemberMetadata({ memberId: id, groupInstanceId: instance, clientId: id, clientHost: 'h', rebalanceTimeoutMs: 1000, sessionTimeoutMs: 1000, protocolType: 'consumer', protocols: protocols.map((name) => ({ name, metadata: Buffer.from(`${id}:${name}`) })) });
}

describe('group > metadata bookkeeping', () => {
  it('the first member leads; when the leader goes another member takes over', () => {
    const g = new GroupMetadata('g', 'Empty', 0);
    g.add(member('a', ['range']), null);
    g.add(member('b', ['range']), null);
    expect(g.leaderId).to.equal('a');
    g.remove('a');
    expect(g.leaderId).to.equal('b');
    g.remove('b');
    expect(g.leaderId).to.equal(null);
  });

  it('selects the protocol by member votes among protocols everyone supports', () => {
    const g = new GroupMetadata('g', 'Empty', 0);
    g.add(member('a', ['sticky', 'range', 'roundrobin']), null);
    g.add(member('b', ['range', 'roundrobin']), null);
    g.add(member('c', ['roundrobin', 'range']), null);
    // Candidates: range, roundrobin. Votes: a→range, b→range, c→roundrobin.
    expect(g.selectProtocol()).to.equal('range');
    expect(g.supportsProtocols('consumer', ['sticky'])).to.equal(false);
    expect(g.supportsProtocols('consumer', ['roundrobin'])).to.equal(true);
    expect(g.supportsProtocols('connect', ['range'])).to.equal(false);
    g.remove('b');
    g.remove('c');
    expect(g.supportsProtocols('consumer', ['sticky'])).to.equal(true);
  });

  it('replacing a static member fences its waiting requests and keeps leadership and assignment', () => {
    const g = new GroupMetadata('g', 'Empty', 0);
    const m = member('old', ['range'], 'i1');
    const fenced: number[] = [];
    g.add(m, (r) => fenced.push(r.errorCode));
    m.assignment = Buffer.from('mine');
    const replaced = g.replaceStaticMember('i1', 'old', 'new');
    expect(fenced).to.deep.equal([82]);
    expect(replaced.assignment.toString()).to.equal('mine');
    expect(g.leaderId).to.equal('new');
    expect(g.isStaticMemberFenced('old', 'i1')).to.equal(true);
    expect(g.isStaticMemberFenced('new', 'i1')).to.equal(false);
    expect(g.has('old')).to.equal(false);
  });

  it('initNextGeneration bumps the generation into CompletingRebalance, or Empty without members', () => {
    const g = new GroupMetadata('g', 'Empty', 0);
    g.transitionTo('PreparingRebalance', 1);
    g.add(member('a', ['range']), null);
    g.initNextGeneration(2);
    expect([g.generationId, g.state, g.protocolName, g.currentStateTimestamp]).to.deep.equal([1, 'CompletingRebalance', 'range', 2]);
    expect(() => g.transitionTo('Empty', 3)).to.throw(GroupCoordinatorError, /illegal transition/);
    g.transitionTo('PreparingRebalance', 3);
    g.remove('a');
    g.initNextGeneration(4);
    expect([g.generationId, g.state, g.protocolName]).to.deep.equal([2, 'Empty', null]);
  });
});

describe('group > placement (partitionFor)', () => {
  it("matches Java's String.hashCode", () => {
    expect(javaStringHashCode('')).to.equal(0);
    expect(javaStringHashCode('hello')).to.equal(99162322);
    expect(javaStringHashCode('Aa')).to.equal(javaStringHashCode('BB'));
    expect(javaStringHashCode('polygenelubricants')).to.equal(-2147483648);
    // An independent oracle: s[0]*31^(n-1) + … + s[n-1] over UTF-16 units, wrapped to int32.
    const oracle = (s: string): number => {
      let h = 0n;
      for (let i = 0; i < s.length; i++) h = h * 31n + BigInt(s.charCodeAt(i));
      return Number(BigInt.asIntN(32, h));
    };
    for (const s of ['console-consumer-12345', 'grüße-🚀-group', 'x'.repeat(300)]) expect(javaStringHashCode(s), s).to.equal(oracle(s));
  });

  it('places groups as Kafka does, Integer.MIN_VALUE included', () => {
    expect(partitionFor('hello', 50)).to.equal(99162322 % 50);
    const negative = 'my-group';
    expect(javaStringHashCode(negative)).to.be.below(0);
    expect(partitionFor(negative, 50)).to.equal(Math.abs(javaStringHashCode(negative)) % 50);
    expect(partitionFor('polygenelubricants', 50)).to.equal(0);
    expect(partitionFor('', 50)).to.equal(0);
  });
});

describe('group > keyed serial queue', () => {
  it('runs tasks of one key one at a time in order, other keys independently, and survives failures', async () => {
    const q = new KeyedSerialQueue();
    const log: string[] = [];
    let releaseA!: () => void;
    const gate = new Promise<void>((r) => (releaseA = r));
    const a1 = q.run('a', async () => {
      log.push('a1 start');
      await gate;
      log.push('a1 end');
    });
    const a2 = q.run('a', () => {
      log.push('a2');
      throw new Error('boom');
    });
    const a3 = q.run('a', () => log.push('a3'));
    const b1 = q.run('b', () => log.push('b1'));
    await b1;
    expect(log).to.deep.equal(['a1 start', 'b1']);
    releaseA();
    await a1;
    await a2.then(
      () => expect.fail('a2 should reject'),
      (err: Error) => expect(err.message).to.equal('boom'),
    );
    await a3;
    expect(log).to.deep.equal(['a1 start', 'b1', 'a1 end', 'a2', 'a3']);
    await Promise.resolve();
    expect(q.activeKeys).to.equal(0);
  });
});
