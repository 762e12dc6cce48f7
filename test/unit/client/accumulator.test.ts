import { expect } from 'chai';
import sinon from 'sinon';
import { RecordAccumulator, type AccumulatorOptions } from '../../../client/producer/accumulator.js';
import { estimateRecordSize, type ProducerRecordData } from '../../../client/producer/batch.js';
import { systemScheduler } from '../../../common/index.js';

function rec(value: string, key: string | null = null): ProducerRecordData {
  return { key: key === null ? null : Buffer.from(key), value: Buffer.from(value), headers: [], timestamp: 1000n };
}

const RECORD = estimateRecordSize(rec('x'.repeat(100)));

describe('client > producer > RecordAccumulator', () => {
  let clock: sinon.SinonFakeTimers;
  let wakeups: number;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 10_000 });
    wakeups = 0;
  });
  afterEach(() => clock.restore());

  function make(over: Partial<AccumulatorOptions> = {}): RecordAccumulator {
    return new RecordAccumulator({
      batchSize: 61 + RECORD * 10,
      lingerMs: 5,
      bufferMemory: 1 << 20,
      maxBlockMs: 1000,
      retryBackoffMs: 100,
      maxRecordBytes: 1 << 20,
      scheduler: systemScheduler,
      onWakeup: () => wakeups++,
      ...over,
    });
  }

  it('groups records per partition into batches bounded by batchSize', () => {
    const acc = make();
    const results = Array.from({ length: 25 }, () => acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now()));
    const batches = new Set(results.map((r) => (typeof r === 'object' ? r.batch : undefined)));
    expect(batches.size).to.equal(3);
    const sizes = [...batches].map((b) => b!.recordCount);
    expect(sizes).to.deep.equal([10, 10, 5]);
    expect(results.map((r) => (typeof r === 'object' ? r.index : -1)).slice(8, 12)).to.deep.equal([8, 9, 0, 1]);
    expect(wakeups, 'three batches started, two filled up').to.equal(5);
    acc.tryAppend('t', 1, rec('y'), Date.now());
    expect(acc.ready(Date.now()).partitions.map((q) => q.partition)).to.deep.equal([0]);
  });

  it('a batch becomes ready after lingerMs; ready() says when to look again', () => {
    const acc = make({ lingerMs: 20 });
    acc.tryAppend('t', 0, rec('a'), Date.now());
    let r = acc.ready(Date.now());
    expect(r.partitions).to.have.length(0);
    expect(r.nextReadyInMs).to.equal(20);
    clock.tick(19);
    expect(acc.ready(Date.now()).nextReadyInMs).to.equal(1);
    clock.tick(1);
    r = acc.ready(Date.now());
    expect(r.partitions.map((q) => `${q.topic}/${q.partition}`)).to.deep.equal(['t/0']);
    const batch = acc.poll(r.partitions[0]!)!;
    expect(batch.closed).to.equal(true);
    expect(batch.records.map((x) => x.value!.toString())).to.deep.equal(['a']);
    // appends after the drain start a new batch
    const next = acc.tryAppend('t', 0, rec('b'), Date.now());
    expect(typeof next === 'object' && next.batch !== batch).to.equal(true);
  });

  it('flush makes every batch ready immediately', () => {
    const acc = make({ lingerMs: 10_000 });
    acc.tryAppend('t', 0, rec('a'), Date.now());
    acc.beginFlush();
    expect(acc.ready(Date.now()).partitions).to.have.length(1);
    acc.endFlush();
    expect(acc.ready(Date.now()).partitions).to.have.length(0);
  });

  it('bufferMemory: tryAppend refuses when full; append waits and proceeds when memory is released', async () => {
    const acc = make({ bufferMemory: RECORD * 3, batchSize: RECORD * 100 });
    for (let i = 0; i < 3; i++) expect(acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now())).to.be.an('object');
    expect(acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now())).to.equal(undefined);
    let appended = false;
    const pending = acc.append('t', 1, rec('x'.repeat(100)), () => Date.now()).then((r) => {
      appended = true;
      return r;
    });
    // a later tryAppend must not overtake the waiter even if memory frees up
    const q = acc.ready(Date.now() + 10).partitions[0]!;
    const batch = acc.poll(q)!;
    await Promise.resolve();
    expect(appended).to.equal(false);
    batch.complete({ baseOffset: 0n, logAppendTime: -1n });
    acc.release(batch);
    const r = await pending;
    expect(appended).to.equal(true);
    expect(r.batch.partition).to.equal(1);
    expect(acc.bufferUsedBytes).to.equal(RECORD);
  });

  it('bufferMemory: append fails with CLI_BUFFER_EXHAUSTED after maxBlockMs', async () => {
    const acc = make({ bufferMemory: RECORD, maxBlockMs: 300 });
    acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now());
    const pending = acc.append('t', 0, rec('x'.repeat(100)), () => Date.now());
    const outcome = pending.then(() => 'ok', (e: { code: string; retriable: boolean }) => `${e.code}/${e.retriable}`);
    await clock.tickAsync(299);
    clock.tick(1);
    expect(await outcome).to.equal('CLI_BUFFER_EXHAUSTED/true');
  });

  it('rejects a record larger than maxRequestSize at once', () => {
    const acc = make({ maxRecordBytes: 100 });
    expect(() => acc.tryAppend('t', 0, rec('x'.repeat(200)), Date.now())).to.throw().with.property('code', 'CLI_RECORD_TOO_LARGE');
  });

  it('abortOnNewBatch lets a sticky partitioner move before a new batch starts', () => {
    const acc = make({ batchSize: 61 + RECORD * 2 });
    // any new batch, even the first, gives the partitioner a chance to move
    expect(acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now(), true)).to.equal('new-batch');
    acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now(), false);
    expect(acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now(), true)).to.be.an('object');
    expect(acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now(), true)).to.equal('new-batch');
    const r = acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now(), false);
    expect(typeof r === 'object' && r.newBatch).to.equal(true);
  });

  it('retries wait retryBackoffMs and go back in sequence order ahead of unsent batches', () => {
    const acc = make({ batchSize: 61 + RECORD, lingerMs: 0 });
    for (let i = 0; i < 3; i++) acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now());
    const q = acc.queue('t', 0);
    const b0 = acc.poll(q)!;
    const b1 = acc.poll(q)!;
    b0.baseSequence = 0;
    b1.baseSequence = 1;
    for (const b of [b0, b1]) {
      b.attempts = 1;
      b.lastAttemptMs = Date.now();
    }
    acc.reenqueue(b1);
    acc.reenqueue(b0);
    expect(q.batches.map((b) => b.baseSequence)).to.deep.equal([0, 1, -1]);
    expect(acc.ready(Date.now()).partitions).to.have.length(0);
    clock.tick(100);
    expect(acc.ready(Date.now()).partitions).to.have.length(1);
  });

  it('expired() removes queued batches past deliveryTimeoutMs; whenEmpty waits for settlement', async () => {
    const acc = make({ lingerMs: 1_000_000 });
    acc.tryAppend('t', 0, rec('a'), Date.now());
    clock.tick(500);
    acc.tryAppend('t', 1, rec('b'), Date.now());
    let empty = false;
    void acc.whenEmpty().then(() => (empty = true));
    const expired = acc.expired(Date.now(), 500);
    expect(expired.map((b) => b.partition)).to.deep.equal([0]);
    for (const b of expired) acc.release(b);
    await Promise.resolve();
    expect(empty).to.equal(false);
    for (const b of acc.drainAll()) acc.release(b);
    await Promise.resolve();
    expect(empty).to.equal(true);
    expect(acc.bufferUsedBytes).to.equal(0);
  });

  it('per-record metadata derives from one batch result: baseOffset + index', async () => {
    const acc = make();
    const rs = [0, 1, 2].map((i) => acc.tryAppend('t', 3, rec(`v${i}`), Date.now()));
    const batch = (rs[0] as { batch: import('../../../client/producer/batch.js').ProducerBatch }).batch;
    const promises = rs.map((r) => {
      const { batch: b, index } = r as { batch: typeof batch; index: number };
      return b.result().then((res) => b.metadataFor(index, res));
    });
    batch.complete({ baseOffset: 40n, logAppendTime: -1n });
    const metas = await Promise.all(promises);
    expect(metas.map((m) => m.offset)).to.deep.equal([40n, 41n, 42n]);
    expect(metas[0]).to.deep.include({ topic: 't', partition: 3, timestamp: 1000n });
  });

  it('close() refuses new records and fails blocked appends with CLI_CLOSED', async () => {
    const acc = make({ bufferMemory: RECORD });
    acc.tryAppend('t', 0, rec('x'.repeat(100)), Date.now());
    const blocked = acc.append('t', 0, rec('x'.repeat(100)), () => Date.now()).then(() => 'ok', (e: { code: string }) => e.code);
    acc.close();
    expect(await blocked).to.equal('CLI_CLOSED');
    expect(() => acc.tryAppend('t', 0, rec('a'), Date.now())).to.throw().with.property('code', 'CLI_CLOSED');
  });

  it('property: random appends keep per-partition order, respect batchSize, and free all memory', () => {
    let seed = 99;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    for (let trial = 0; trial < 40; trial++) {
      const batchSize = 200 + rnd(2000);
      const acc = make({ batchSize, lingerMs: rnd(3) });
      const sent = new Map<number, string[]>();
      for (let i = 0; i < 300; i++) {
        const partition = rnd(4);
        const value = `${i}:` + 'x'.repeat(rnd(300));
        const r = acc.tryAppend('t', partition, rec(value), Date.now());
        expect(r).to.be.an('object');
        sent.set(partition, [...(sent.get(partition) ?? []), value]);
        if (rnd(10) === 0) clock.tick(1);
      }
      clock.tick(10);
      const got = new Map<number, string[]>();
      for (let round = 0; round < 1000 && acc.hasQueued(); round++) {
        for (const q of acc.ready(Date.now()).partitions) {
          const b = acc.poll(q)!;
          if (b.recordCount > 1) expect(b.sizeBytes, `trial ${trial}`).to.be.at.most(batchSize);
          got.set(b.partition, [...(got.get(b.partition) ?? []), ...b.records.map((x) => x.value!.toString())]);
          b.complete({ baseOffset: 0n, logAppendTime: -1n });
          acc.release(b);
        }
      }
      expect(got).to.deep.equal(sent);
      expect(acc.bufferUsedBytes).to.equal(0);
      expect(acc.incompleteBatches).to.equal(0);
    }
  });
});
