/**
 * A consumer group member as a process of its own, so a test can kill it (SIGKILL: no
 * LeaveGroup, no last commit) and watch the group fail over. Usage:
 *   node --import tsx group-member.ts <bootstrap> <groupId> <topic> <sessionTimeoutMs>
 * Prints one JSON line per event: {"assigned":[...]} / {"values":[...]}; values are printed
 * BEFORE their offsets are committed, so a kill loses nothing from the test's view (at-least-once).
 */
import { Consumer, stringSerde } from '../../../client/index.js';

const [bootstrap, groupId, topic, sessionTimeoutMs] = process.argv.slice(2);
const consumer = new Consumer<string, string>({
  brokers: [bootstrap!],
  groupId: groupId!,
  autoOffsetReset: 'earliest',
  enableAutoCommit: false,
  sessionTimeoutMs: Number(sessionTimeoutMs),
  heartbeatIntervalMs: 300,
  valueDeserializer: stringSerde.deserialize,
});
const print = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');
consumer.subscribe([topic!], { onPartitionsAssigned: () => print({ assigned: consumer.assignment().map((tp) => tp.partition) }) });
process.on('SIGTERM', () => void consumer.close().then(() => process.exit(0)));
// Bounded: the test kills or stops this process long before.
const deadline = Date.now() + 120_000;
while (Date.now() < deadline) {
  const records = await consumer.poll({ timeoutMs: 200 });
  if (records.length === 0) continue;
  print({ values: records.map((r) => r.value) });
  await consumer.commitSync();
}
await consumer.close();
