import { expect } from 'chai';
import { Connection } from '../../../client/connection.js';
import { API, CLIENT_API_VERSIONS } from '../../../client/wire.js';
import { apiName, describedVersions, isFlexibleVersion } from '../../../protocol/index.js';
import type { MetadataResponse } from '../../../client/api-types.js';
import { freePort } from '../../helpers/ports.js';
import { FakeBroker, FakeClusterState } from './fake-broker.js';

describe('client > Connection (against the fake broker test double)', () => {
  let state: FakeClusterState;
  let broker: FakeBroker;
  const conns: Connection[] = [];

  async function start(opts: Partial<ConstructorParameters<typeof FakeBroker>[0]> = {}): Promise<void> {
    state = new FakeClusterState();
    state.addTopic('t', [1, 1]);
    broker = new FakeBroker({ nodeId: 1, state, ...opts });
    await broker.start();
  }

  function connect(over: Partial<ConstructorParameters<typeof Connection>[0]> = {}): Connection {
    const c = new Connection({ host: '127.0.0.1', port: broker.port, clientId: 'test-client', requestTimeoutMs: 2000, ...over });
    conns.push(c);
    return c;
  }

  afterEach(async () => {
    for (const c of conns.splice(0)) c.close();
    await broker?.stop();
  });

  it('handshakes with ApiVersions v3 and negotiates min(ours, broker max)', async () => {
    await start({ advertise: new Map([[API.Metadata, [0, 4]]]) });
    const c = connect();
    await c.connect();
    expect(c.negotiate(API.Metadata)).to.equal(4);
    expect(c.negotiate(API.Produce)).to.equal(7);
    const res = await c.send<MetadataResponse>(API.Metadata, { topics: [{ name: 't' }], allowAutoTopicCreation: false });
    expect(res.topics[0]!.partitions).to.have.length(2);
    expect(state.requests.map((r) => `${r.apiKey}v${r.apiVersion}`)).to.deep.equal(['18v3', '3v4']);
    expect(state.requests[0]!.clientId).to.equal('test-client');
  });

  it("keeps to the versions its code handles when the broker advertises Kafka 2.8's ranges", async () => {
    // The highest version per API the client code was written for: what it negotiated before
    // protocol/ described 2.8's maxima. Raising one means checking the client against that version.
    expect(Object.fromEntries([...CLIENT_API_VERSIONS].map(([k, r]) => [apiName(k), [r.min, r.max]]))).to.deep.equal({
      Produce: [3, 7], Fetch: [4, 11], ListOffsets: [1, 5], Metadata: [1, 8], OffsetCommit: [2, 7], OffsetFetch: [1, 7],
      FindCoordinator: [0, 2], JoinGroup: [0, 5], Heartbeat: [0, 3], LeaveGroup: [0, 3], SyncGroup: [0, 3], DescribeGroups: [0, 4],
      ListGroups: [0, 2], ApiVersions: [0, 3], CreateTopics: [0, 4], DeleteTopics: [0, 3], InitProducerId: [0, 4],
      DescribeConfigs: [0, 2], AlterConfigs: [0, 1], CreatePartitions: [0, 1], DeleteGroups: [0, 1], AlterReplicaLogDirs: [0, 1], DescribeLogDirs: [0, 1],
      // Transactions: TxnOffsetCommit v3 (flexible) is the one that carries KIP-447's member fields.
      AddPartitionsToTxn: [0, 2], AddOffsetsToTxn: [0, 2], EndTxn: [0, 2], TxnOffsetCommit: [0, 3],
      // Admin (KIP-664, flexible v0 only): transactions.sh list/describe.
      DescribeTransactions: [0, 0], ListTransactions: [0, 0],
      // Security: SASL after ApiVersions (handshake v1 only: the v0 raw-token flow is for old clients), SCRAM admin (KIP-554).
      SaslHandshake: [1, 1], SaslAuthenticate: [0, 2], DescribeUserScramCredentials: [0, 0], AlterUserScramCredentials: [0, 0],
      // Client quotas (KIP-546).
      DescribeClientQuotas: [0, 1], AlterClientQuotas: [0, 1],
    });
    await start(); // the fake broker advertises every range protocol/ describes
    const c = connect();
    await c.connect();
    for (const key of [API.Produce, API.Fetch, API.ListOffsets, API.Metadata, API.OffsetCommit, API.JoinGroup]) {
      const v = c.negotiate(key);
      expect(v, apiName(key)).to.equal(CLIENT_API_VERSIONS.get(key)!.max);
      expect(v, apiName(key)).to.be.below(describedVersions(key)!.max);
      expect(isFlexibleVersion(key, v), `${apiName(key)} v${v} is flexible`).to.equal(false);
    }
  });

  it('falls back when the broker refuses ApiVersions v3 with the KIP-511 v0 answer', async () => {
    await start({ maxApiVersionsVersion: 1 });
    const c = connect();
    await c.connect();
    expect(state.requests.map((r) => `${r.apiKey}v${r.apiVersion}`)).to.deep.equal(['18v3', '18v1']);
    expect(c.negotiate(API.Metadata)).to.equal(8);
  });

  it('pipelines many requests on one socket and matches responses by correlation id', async () => {
    await start();
    const c = connect();
    const all = await Promise.all(
      Array.from({ length: 100 }, (_, i) => c.send<MetadataResponse>(API.Metadata, { topics: i % 2 ? [{ name: 't' }] : [], allowAutoTopicCreation: false })),
    );
    all.forEach((res, i) => expect(res.topics.length, `request ${i}`).to.equal(i % 2));
  });

  it('fails with CLI_UNSUPPORTED_VERSION for an API the broker lacks or a range with no overlap', async () => {
    await start({ advertise: new Map([[API.Produce, [8, 9]]]) });
    const c = connect();
    await c.connect();
    expect(() => c.negotiate(API.DescribeConfigs)).to.throw().with.property('code', 'CLI_UNSUPPORTED_VERSION');
    expect(() => c.negotiate(API.Produce)).to.throw(/no common version/).with.property('code', 'CLI_UNSUPPORTED_VERSION');
  });

  it('times out a request the broker never answers, failing every pending request and closing', async () => {
    await start();
    const c = connect({ requestTimeoutMs: 200 });
    await c.connect();
    broker.silent = true;
    const errs = await Promise.all(
      [1, 2, 3].map(() => c.send(API.Metadata, { topics: [], allowAutoTopicCreation: false }).then(() => null, (e: unknown) => e)),
    );
    for (const e of errs) expect(e).to.include({ code: 'CLI_REQUEST_TIMEOUT', retriable: true });
    expect(c.closed).to.equal(true);
  });

  it('connection refused is a retriable CLI_CONNECTION', async () => {
    await start();
    const c = connect({ port: await freePort() });
    const err = await c.connect().then(() => null, (e: unknown) => e);
    expect(err).to.include({ code: 'CLI_CONNECTION', retriable: true });
  });

  it('a broker hanging up fails pending requests with CLI_CONNECTION', async () => {
    await start();
    const c = connect();
    await c.connect();
    broker.silent = true;
    const pending = c.send(API.Metadata, { topics: [], allowAutoTopicCreation: false }).then(() => null, (e: unknown) => e);
    broker.dropConnections();
    expect(await pending).to.include({ code: 'CLI_CONNECTION', retriable: true });
  });

  it('close() rejects pending requests with CLI_CLOSED and later sends fail fast', async () => {
    await start();
    const c = connect();
    await c.connect();
    broker.silent = true;
    const pending = c.send(API.Metadata, { topics: [], allowAutoTopicCreation: false }).then(() => null, (e: unknown) => e);
    c.close();
    expect(await pending).to.include({ code: 'CLI_CLOSED', retriable: false });
    const later = await c.send(API.Metadata, { topics: [] }).then(() => null, (e: unknown) => e);
    expect(later).to.include({ code: 'CLI_CLOSED' });
  });
});
