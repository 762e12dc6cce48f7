/**
 * Producer ids for InitProducerId (Kafka's ZooKeeper-mode ProducerIdManager): ids are handed
 * out from a block of 1,000 this broker claimed in /latest_producer_id_block; when the block is
 * used up the next one is claimed. Blocks never overlap across brokers (the claim is a
 * conditional write), so ids are unique cluster-wide. Ids of a block left unused when the broker
 * stops are skipped, as in Kafka.
 */
import type { Logger } from 'pino';
import { allocateProducerIdBlock, PRODUCER_ID_BLOCK_SIZE, type CoordinationStore } from '../coordination/index.js';
import { silentLogger } from './logging.js';

interface ProducerIdManagerOptions {
  store: CoordinationStore;
  /** This broker's id, written into the block it claims. */
  brokerId: number;
  /** Ids per block (Kafka: 1000). */
  blockSize?: bigint;
  logger?: Logger;
}

export class ProducerIdManager {
  private next = 0n;
  private blockEnd = -1n;
  /** Claims and id requests run one at a time, so one exhausted block leads to one claim. */
  private tail: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;
  private readonly blockSize: bigint;

  constructor(private readonly o: ProducerIdManagerOptions) {
    this.log = (o.logger ?? silentLogger()).child({ module: 'producer-id-manager' });
    this.blockSize = o.blockSize ?? PRODUCER_ID_BLOCK_SIZE;
  }

  /** A producer id never handed out before by any broker; rejects with the coordination error if no block can be claimed. */
  generateProducerId(): Promise<bigint> {
    const result = this.tail.then(async () => {
      if (this.next > this.blockEnd) {
        const block = await allocateProducerIdBlock(this.o.store, this.o.brokerId, this.blockSize);
        this.log.info({ blockStart: String(block.blockStart), blockEnd: String(block.blockEnd) }, 'claimed producer id block');
        this.next = block.blockStart;
        this.blockEnd = block.blockEnd;
      }
      return this.next++;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** The next id and the end of the block in use, or undefined before the first claim. */
  get remaining(): { next: bigint; blockEnd: bigint } | undefined {
    return this.blockEnd < 0n ? undefined : { next: this.next, blockEnd: this.blockEnd };
  }
}
