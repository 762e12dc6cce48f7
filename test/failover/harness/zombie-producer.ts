/**
 * A transactional producer (Samsa client) as a process of its own, so a test can freeze it for
 * real (SIGSTOP past its transaction timeout, then SIGCONT) and watch it come back as a zombie.
 * Usage:
 *   node --import tsx zombie-producer.ts <bootstrap> <topic> <transactionalId> <transactionTimeoutMs>
 * Opens one transaction and writes `zombie-<n>` to partition 0, one acknowledged record at a time,
 * every 100 ms, until a write fails; then tries to commit and, if that fails, to abort (with
 * KIP-360 a refused write is abortable: the abort's EndTxn and epoch bump decide whether it was
 * fenced). One JSON line per event:
 *   {"acked":n}                        record n was acknowledged by the leader (before any fault)
 *   {"refused":"<Kafka error name>"}   the first write that failed, and why
 *   {"commit":"committed"|"<error name>"}  how the commit ended
 *   {"abort":"aborted"|"<error name>", "state":"<transaction state>"}  after a failed commit; the process then exits
 * Bounded: it gives up after 120 s whatever happens.
 */
import { setTimeout as pause } from 'node:timers/promises';
import { KafkaClientError, Producer, stringSerde } from '../../../client/index.js';

const [bootstrap, topic, transactionalId, transactionTimeoutMs] = process.argv.slice(2);
const print = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');
/** Kafka's error name when a broker refused (also through an abortable error's cause), else the client's code. */
const nameOf = (err: unknown): string => {
  if (!(err instanceof KafkaClientError)) return String(err);
  if (err.kafkaCode !== undefined) return err.kafkaError;
  return err.cause instanceof KafkaClientError && err.cause.kafkaCode !== undefined ? err.cause.kafkaError : err.code;
};

const producer = new Producer<string, string>({
  brokers: bootstrap!.split(','),
  transactionalId: transactionalId!,
  transactionTimeoutMs: Number(transactionTimeoutMs),
  requestTimeoutMs: 5_000,
  valueSerializer: stringSerde.serialize,
});
const deadline = Date.now() + 120_000;
const txn = await producer.transaction();
let refused = false;
for (let n = 0; Date.now() < deadline; n++) {
  try {
    await txn.send({ topic: topic!, partition: 0, value: `zombie-${n}` });
    print({ acked: n });
  } catch (err) {
    print({ refused: nameOf(err) });
    refused = true;
    break;
  }
  await pause(100);
}
if (refused) {
  const outcome = await txn.commit().then(() => 'committed', (err: unknown) => nameOf(err));
  print({ commit: outcome });
  if (outcome !== 'committed') {
    const aborted = await txn.abort().then(() => 'aborted', (err: unknown) => nameOf(err));
    print({ abort: aborted, state: producer.transactionState });
  }
}
await producer.close({ timeoutMs: 2_000 }).catch(() => undefined);
process.exit(0);
