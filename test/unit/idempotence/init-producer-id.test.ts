import { expect } from 'chai';
import { toWireError } from '../../../broker/errors.js';
import { ProducerIdManager } from '../../../broker/producer-id-manager.js';
import { createInitProducerIdHandler } from '../../../broker/handlers/init-producer-id.js';
import { ANONYMOUS_PRINCIPAL, type RequestContext } from '../../../broker/request-context.js';
import { CoordinationError, type CoordinationStore } from '../../../coordination/index.js';
import {
  ApiKey, decodeRequest, decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse, ErrorCode,
  type InitProducerIdRequest, type InitProducerIdResponse,
} from '../../../protocol/index.js';
import { StorageError } from '../../../storage/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';

/** One InitProducerId through the real codecs: request encoded and decoded, response encoded and decoded. */
async function call(handler: ReturnType<typeof createInitProducerIdHandler>, version: number, body: InitProducerIdRequest): Promise<InitProducerIdResponse> {
  const frame = encodeRequest(ApiKey.InitProducerId, version, 7, 'test-client', body).subarray(4);
  const header = decodeRequestHeader(frame);
  const decoded = decodeRequest(ApiKey.InitProducerId, header.apiVersion, frame, header.bodyOffset);
  const ctx: RequestContext = {
    connectionId: 'PLAINTEXT-test-1', listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', clientAddress: '127.0.0.1', clientPort: 50000,
    principal: ANONYMOUS_PRINCIPAL, signal: new AbortController().signal, apiKey: header.apiKey, apiVersion: header.apiVersion,
    correlationId: header.correlationId, clientId: header.clientId, receivedAtMs: 0,
  };
  const answer = (await handler.handle(ctx, decoded))!;
  return decodeResponse(ApiKey.InitProducerId, version, encodeResponse(ApiKey.InitProducerId, version, 7, answer).subarray(4)).body as InitProducerIdResponse;
}

/** A store whose next `failures` reads of /latest_producer_id_block fail with connection loss. */
function flaky(store: CoordinationStore, failures: number): CoordinationStore {
  let left = failures;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'getData') {
        return (...args: unknown[]) => {
          if (left > 0) {
            left--;
            return Promise.reject(new CoordinationError('CRD_CONNECTION_LOSS', 'connection lost'));
          }
          return (target.getData as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('idempotence > producer ids and InitProducerId', () => {
  it('two brokers hand out unique ids from disjoint blocks and claim the next block when one runs out', async () => {
    const zk = new FakeZooKeeper();
    const a = new ProducerIdManager({ store: zk.session(), brokerId: 1, blockSize: 10n });
    const b = new ProducerIdManager({ store: zk.session(), brokerId: 2, blockSize: 10n });
    // Interleaved and concurrent: 3 blocks' worth from each broker.
    const ids = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).generateProducerId()));
    expect(new Set(ids.map(String)).size).to.equal(60);
    const fromA = ids.filter((_, i) => i % 2 === 0);
    const fromB = ids.filter((_, i) => i % 2 === 1);
    // Ids of one broker come from whole blocks of its own: same block → same broker.
    const blocksOf = (xs: bigint[]) => new Set(xs.map((x) => x / 10n));
    for (const blk of blocksOf(fromA)) expect(blocksOf(fromB).has(blk)).to.equal(false);
    expect(blocksOf(fromA).size).to.equal(3);
    expect(blocksOf(fromB).size).to.equal(3);
    // Within a broker, ids grow.
    expect([...fromA].sort((x, y) => (x < y ? -1 : 1))).to.deep.equal(fromA);
    expect(JSON.parse(zk.text('/latest_producer_id_block')!)).to.deep.include({ version: 1, block_end: '59' });
  });

  it('uses Kafka blocks of 1000: exhausting one claims the next free block', async () => {
    const zk = new FakeZooKeeper();
    const a = new ProducerIdManager({ store: zk.session(), brokerId: 1 });
    const b = new ProducerIdManager({ store: zk.session(), brokerId: 2 });
    expect(await a.generateProducerId()).to.equal(0n);
    expect(await b.generateProducerId()).to.equal(1000n);
    for (let i = 1; i < 1000; i++) expect(await a.generateProducerId()).to.equal(BigInt(i));
    expect(a.remaining).to.deep.equal({ next: 1000n, blockEnd: 999n });
    expect(await a.generateProducerId()).to.equal(2000n);
    expect(zk.text('/latest_producer_id_block')).to.equal('{"version":1,"broker":1,"block_start":"2000","block_end":"2999"}');
  });

  it('answers idempotent producers with a fresh id and epoch 0 on v0 and v1', async () => {
    const zk = new FakeZooKeeper();
    const handler = createInitProducerIdHandler({ producerIds: new ProducerIdManager({ store: zk.session(), brokerId: 1 }) });
    const r0 = await call(handler, 0, { transactionalId: null, transactionTimeoutMs: 60_000 });
    const r1 = await call(handler, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
    expect(r0).to.deep.include({ errorCode: ErrorCode.NONE, producerId: 0n, producerEpoch: 0 });
    expect(r1).to.deep.include({ errorCode: ErrorCode.NONE, producerId: 1n, producerEpoch: 0 });
  });

  it('has no transaction coordinator: a transactional id gets COORDINATOR_NOT_AVAILABLE, an empty one INVALID_REQUEST', async () => {
    const zk = new FakeZooKeeper();
    const handler = createInitProducerIdHandler({ producerIds: new ProducerIdManager({ store: zk.session(), brokerId: 1 }) });
    expect(await call(handler, 1, { transactionalId: 'tx-1', transactionTimeoutMs: 60_000 })).to.deep.include({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1n, producerEpoch: -1,
    });
    expect((await call(handler, 1, { transactionalId: '', transactionTimeoutMs: 60_000 })).errorCode).to.equal(ErrorCode.INVALID_REQUEST);
    expect(zk.get('/latest_producer_id_block')).to.equal(undefined);
  });

  it('a failed block claim is a retriable COORDINATOR_NOT_AVAILABLE and the next request succeeds', async () => {
    const zk = new FakeZooKeeper();
    const handler = createInitProducerIdHandler({ producerIds: new ProducerIdManager({ store: flaky(zk.session(), 1), brokerId: 1 }) });
    expect((await call(handler, 1, { transactionalId: null, transactionTimeoutMs: 1 })).errorCode).to.equal(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(await call(handler, 1, { transactionalId: null, transactionTimeoutMs: 1 })).to.deep.include({ errorCode: ErrorCode.NONE, producerId: 0n });
  });
});

describe('idempotence > wire errors', () => {
  it('storage refusals reach the client as OUT_OF_ORDER_SEQUENCE_NUMBER and INVALID_PRODUCER_EPOCH', () => {
    expect(toWireError(new StorageError('STG_OUT_OF_ORDER_SEQUENCE', 'gap'))).to.equal(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(toWireError(new StorageError('STG_INVALID_PRODUCER_EPOCH', 'old'))).to.equal(ErrorCode.INVALID_PRODUCER_EPOCH);
  });
});
