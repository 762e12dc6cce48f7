/**
 * Topic ids (KIP-516) as Kafka 2.8's controller keeps them: a topic znode read without
 * `topic_id` (written by an older broker or tool) gets a fresh id written back at the version
 * read, under the controller's epoch fence, before the topic joins the controller context
 * (KafkaController.processTopicIds / setTopicIds). Ids never change once written.
 */
import type { Logger } from 'pino';
import { BrokerError } from '../errors.js';
import { encodeTopicAssignment, generateTopicId, ops, readTopicAssignment, topicPath, type CoordinationStore, type FencedWriter, type TopicAssignmentWithVersion } from '../../coordination/index.js';

const ATTEMPTS = 3;

/**
 * Returns the topic's id (and the znode version after any write); the one read when present,
 * else a new one written back. Returns null when the topic znode disappeared meanwhile.
 */
export async function ensureTopicId(
  store: CoordinationStore,
  writer: FencedWriter,
  topic: string,
  read: TopicAssignmentWithVersion,
  logger: Logger,
): Promise<{ topicId: string; zkVersion: number } | null> {
  let current: TopicAssignmentWithVersion | null = read;
  for (let attempt = 0; attempt < ATTEMPTS && current !== null; attempt++) {
    if (current.assignment.topicId !== undefined) return { topicId: current.assignment.topicId, zkVersion: current.zkVersion };
    const topicId = generateTopicId();
    const data = encodeTopicAssignment({ ...current.assignment, topicId });
    const [r] = await writer.writeAll([[ops.setData(topicPath(topic), data, current.zkVersion)]]);
    if (r!.ok) {
      const set = r!.results[0];
      logger.info({ topic, topicId }, 'assigned a topic id to a topic created without one');
      return { topicId, zkVersion: set?.op === 'setData' ? set.stat.version : current.zkVersion + 1 };
    }
    if (r!.error.code !== 'CRD_BAD_VERSION' && r!.error.code !== 'CRD_NO_NODE') throw r!.error;
    current = await readTopicAssignment(store, topic);
  }
  if (current === null) return null;
  if (current.assignment.topicId !== undefined) return { topicId: current.assignment.topicId, zkVersion: current.zkVersion };
  throw new BrokerError('BRK_INTERNAL', `topic ${topic}: could not write a topic id after ${ATTEMPTS} attempts (its znode keeps changing)`);
}
