/**
 * Producer-id blocks (Kafka's ProducerIdManager in ZooKeeper mode): a broker claims the next
 * block of 1,000 ids by a conditional write of /latest_producer_id_block; a lost race re-reads
 * and tries again.
 */
import { CoordinationError, isCoordinationError } from './errors.js';
import { PRODUCER_ID_BLOCK_PATH } from './paths.js';
import type { CoordinationStore } from './store.js';
import { decodeProducerIdBlock, encodeProducerIdBlock, type ProducerIdBlock } from './znodes/codecs.js';

export const PRODUCER_ID_BLOCK_SIZE = 1000n;

export async function allocateProducerIdBlock(store: CoordinationStore, brokerId: number, blockSize = PRODUCER_ID_BLOCK_SIZE): Promise<ProducerIdBlock> {
  for (let attempt = 0; attempt < 20; attempt++) {
    let current: ProducerIdBlock | null = null;
    let version = -1;
    try {
      const node = await store.getData(PRODUCER_ID_BLOCK_PATH);
      current = decodeProducerIdBlock(node.data);
      version = node.stat.version;
    } catch (err) {
      if (!isCoordinationError(err, 'CRD_NO_NODE')) throw err;
      await store.mkdirp(PRODUCER_ID_BLOCK_PATH);
      continue;
    }
    const start = current === null ? 0n : current.blockEnd + 1n;
    if (start + blockSize - 1n > 0x7fffffffffffffffn) {
      throw new CoordinationError('CRD_BAD_DATA', 'producer ids are exhausted', { path: PRODUCER_ID_BLOCK_PATH });
    }
    const block = { brokerId, blockStart: start, blockEnd: start + blockSize - 1n };
    try {
      await store.setData(PRODUCER_ID_BLOCK_PATH, encodeProducerIdBlock(block), version);
      return block;
    } catch (err) {
      if (!isCoordinationError(err, 'CRD_BAD_VERSION')) throw err;
    }
  }
  throw new CoordinationError('CRD_BAD_VERSION', 'could not claim a producer id block after 20 attempts', { path: PRODUCER_ID_BLOCK_PATH });
}
