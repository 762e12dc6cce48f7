/**
 * transactions.sh — the `list` and `describe` commands of Kafka 3.x's kafka-transactions.sh
 * (KIP-664), through ListTransactions (every broker) and DescribeTransactions (the id's
 * coordinator). Output as Kafka prints it: each cell padded to its column's width, then a tab.
 */
import type { Admin, TransactionDescription } from '../../client/index.js';
import { UsageError, type ToolSpec } from './args.js';
import { BOOTSTRAP_FLAG, bootstrapList, connectAdmin, out, retrying, runTool, ToolError, describeError } from './common.js';

const LIST_HEADERS = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'];
const DESCRIBE_HEADERS = [
  'CoordinatorId',
  'TransactionalId',
  'ProducerId',
  'ProducerEpoch',
  'TransactionState',
  'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs',
  'TransactionDurationMs',
  'TopicPartitions',
];

const spec: ToolSpec = {
  name: 'transactions.sh',
  summary: 'List transactional ids with their state, or describe the transaction of one (Kafka\'s kafka-transactions.sh list/describe).',
  flags: [BOOTSTRAP_FLAG, { name: 'transactional-id', arg: '<String: transactional id>', help: 'With describe: the transactional id.' }],
  positionals: true,
  usageTail:
    'Commands:\n  list        every transactional id the coordinators hold\n  describe    the current transaction of --transactional-id\n' +
    'Examples:\n  transactions.sh --bootstrap-server 127.0.0.1:9092 list\n  transactions.sh --bootstrap-server 127.0.0.1:9092 describe --transactional-id payments-1',
};

runTool(spec, async (args) => {
  const [command, ...rest] = args.positionals;
  if (command !== 'list' && command !== 'describe') throw new UsageError('a command is required: list or describe');
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (command === 'list' && args.has('transactional-id')) throw new UsageError('--transactional-id goes with describe');
  const id = command === 'describe' ? args.require('transactional-id') : undefined;
  const admin = await connectAdmin(bootstrapList(args), 'samsa-transactions');
  try {
    if (id === undefined) {
      const rows = (await retrying(() => admin.listTransactions())).map((t) => [t.transactionalId, String(t.coordinator), String(t.producerId), t.state]);
      printTable(LIST_HEADERS, rows);
      return 0;
    }
    printTable(DESCRIBE_HEADERS, [describeRow(await describe(admin, id), Date.now())]);
    return 0;
  } finally {
    admin.close();
  }
});

async function describe(admin: Admin, id: string): Promise<TransactionDescription> {
  try {
    return (await retrying(() => admin.describeTransactions([id])))[0]!;
  } catch (e) {
    throw new ToolError(`Failed to describe transaction state of transactional-id \`${id}\`: ${describeError(e)}`);
  }
}

function describeRow(t: TransactionDescription, now: number): string[] {
  const started = t.transactionStartTimeMs;
  return [
    String(t.coordinator),
    t.transactionalId,
    String(t.producerId),
    String(t.producerEpoch),
    t.state,
    String(t.transactionTimeoutMs),
    started === undefined ? 'None' : String(started),
    started === undefined ? 'None' : String(now - started),
    t.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`).join(','),
  ];
}

/** Kafka's TransactionsCommand.prettyPrintTable: every cell padded to its column's width and followed by a tab. */
function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [headers, ...rows]) out(row.map((c, i) => c.padEnd(widths[i]!) + '\t').join(''));
}
