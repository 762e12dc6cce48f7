/**
 * Evidence for a KafkaJS 2.2.4 client bug that the interop coordinator-failover test works
 * around (test/interop/groups/fixtures.ts, produceIds): KafkaJS's BrokerPool.refreshMetadata
 * reads the seed broker's host:port BEFORE awaiting the Metadata round trip, and afterwards gives
 * `this.seedBroker.nodeId` the id of whichever broker in the answer has that host:port. If,
 * during the round trip, a request to the seed broker failed with a closed connection (a broker
 * shutting down), sendMessages calls removeBroker(), which drops that broker and makes ANOTHER
 * broker object the seed; the refresh then relabels that other broker with the removed broker's
 * id while it stays registered under its own. From then on `findBroker(leader)` returns an object
 * whose nodeId is not the leader's, sendMessages builds a Produce request with no partitions for
 * it (`partitionsPerLeader[broker.nodeId]` is undefined), the broker answers an empty response,
 * and send() resolves as if acknowledged: records silently never written.
 *
 * Pure: KafkaJS's own BrokerPool with fake brokers (no sockets); the Metadata answer is held
 * back to place removeBroker() inside the round trip, as the loop runner observed it.
 */
import { expect } from 'chai';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface PoolBroker {
  nodeId?: number;
  connectionPool: { host: string; port: number; rack?: string | null };
}

interface KafkaJsBrokerPool {
  brokers: Record<string, PoolBroker>;
  seedBroker: PoolBroker;
  createBroker: (options: { connectionPool: PoolBroker['connectionPool']; nodeId?: number }) => PoolBroker;
  connect(): Promise<void>;
  refreshMetadata(topics?: string[]): Promise<void>;
  removeBroker(destination: { host: string; port: number }): void;
}

const BrokerPool = require('kafkajs/src/cluster/brokerPool.js') as new (options: unknown) => KafkaJsBrokerPool;
const { createLogger, LEVELS } = require('kafkajs/src/loggers/index.js') as { createLogger: (o: { level: number; logCreator: () => () => void }) => unknown; LEVELS: Record<string, number> };

const HOST = '127.0.0.1';
const portOf = (id: number): number => 9000 + id;

describe('client > KafkaJS 2.2.4 BrokerPool: seed broker removed during a metadata refresh (the bug the interop workload works around)', () => {
  it('relabels another broker with the removed broker\'s id, so the leader\'s id no longer finds a broker of that id', async () => {
    let release!: () => void;
    let hold: Promise<void> | undefined;
    const answer = { brokers: [1, 2, 3].map((nodeId) => ({ nodeId, host: HOST, port: portOf(nodeId), rack: null })), topicMetadata: [] };
    const pool = new BrokerPool({
      // The seed is broker 2 (build() without a destination = the bootstrap entry).
      connectionPoolBuilder: { build: async (d?: { host: string; port: number; rack?: string | null }) => d ?? { host: HOST, port: portOf(2) } },
      logger: createLogger({ level: LEVELS['NOTHING']!, logCreator: () => () => undefined }),
      retry: { retries: 0 },
      metadataMaxAge: 0,
    });
    pool.createBroker = (o) => ({
      ...o,
      isConnected: () => true,
      connect: async () => undefined,
      disconnect: async () => undefined,
      metadata: async () => {
        await hold;
        return answer;
      },
      versions: {},
    });
    await pool.connect();
    await pool.refreshMetadata();
    expect(Object.entries(pool.brokers).map(([k, b]) => [k, b.nodeId])).to.deep.equal([['1', 1], ['2', 2], ['3', 3]]);
    expect(pool.seedBroker).to.equal(pool.brokers['2']);

    // Broker 2 shuts down: a refresh is in flight when a produce to it fails with a closed connection.
    hold = new Promise<void>((r) => (release = r));
    const refreshing = pool.refreshMetadata();
    await new Promise((r) => setImmediate(r));
    pool.removeBroker({ host: HOST, port: portOf(2) });
    const newSeed = pool.seedBroker;
    expect(newSeed.nodeId === 1 || newSeed.nodeId === 3, 'the seed moved to another broker').to.equal(true);
    const newSeedKey = String(newSeed.nodeId);
    release(); // broker 2 is still registered while it shuts down: the answer still lists it
    await refreshing;

    expect(pool.brokers[newSeedKey], `the broker registered as ${newSeedKey}`).to.equal(newSeed);
    expect(pool.brokers[newSeedKey]!.nodeId, `nodeId of the broker registered as ${newSeedKey}`).to.equal(2);
    expect(pool.brokers[newSeedKey]!.connectionPool.port, 'still broker ' + newSeedKey + "'s address").to.equal(portOf(Number(newSeedKey)));
    // sendMessages: partitionsPerLeader = { [leaderId]: [p] }; topic data for the broker found for
    // leaderId is partitionsPerLeader[broker.nodeId] — nothing, so the Produce carries no records.
    const partitionsPerLeader: Record<string, number[]> = { [newSeedKey]: [0] };
    expect(partitionsPerLeader[String(pool.brokers[newSeedKey]!.nodeId)]).to.equal(undefined);
  });
});
