// One KafkaJS group consumer in a worker thread (plain JavaScript: worker threads do not inherit
// the tsx loader). KafkaJS 2.2.4's fetcher can spin on already-resolved promises while its runner
// stops (runner.fetch returns [] at once), starving its thread's event loop for good; in a worker
// that spin cannot freeze the test process, and the host can always terminate the worker.
// Protocol with the host (workload.ts): workerData { brokers, groupId, member, topic }; messages
// out { type: 'ready' | 'error' | 'stopped' } and { type: 'read', records: [partition, offset,
// value, readAt][] }; message in 'stop'.
import { parentPort, workerData } from 'node:worker_threads';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

async function main() {
  const port = parentPort;
  if (port === null) return;
  const d = workerData;
  const pending = [];
  const flush = () => {
    if (pending.length > 0) port.postMessage({ type: 'read', records: pending.splice(0) });
  };
  const kafka = new Kafka({
    clientId: `failover-${d.member}`,
    brokers: d.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    enforceRequestTimeout: true,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const consumer = kafka.consumer({ groupId: d.groupId, metadataMaxAge: 2_000, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const timer = setInterval(flush, 100);
  port.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    flush();
    consumer
      .disconnect()
      .catch(() => undefined)
      .finally(() => port.postMessage({ type: 'stopped' }));
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: d.topic, fromBeginning: true });
    await consumer.run({
      autoCommitInterval: 500,
      eachMessage: async ({ partition, message }) => {
        pending.push([partition, message.offset, message.value?.toString('utf8') ?? '', Date.now()]);
      },
    });
    port.postMessage({ type: 'ready' });
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}

void main();
