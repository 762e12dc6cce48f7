/**
 * ZooKeeper access for the tools that use it (zookeeper-shell, leader-election,
 * reassign-partitions): one short session through coordination's ZkSession, failing fast with a
 * message that names the ensemble when nothing answers.
 */
import { messageOf } from '../../common/index.js';
import { isCoordinationError, ZkSession } from '../../coordination/index.js';
import { UsageError } from './args.js';
import { ToolError } from './common.js';

export const ZOOKEEPER_FLAG = {
  name: 'zookeeper',
  arg: '<String: host:port[/chroot]>',
  help: "REQUIRED: the cluster's ZooKeeper (zookeeper.connect of the brokers, with its chroot).",
};

export function checkConnectString(connect: string): string {
  if (!/^[^\s/,]+:\d+(,[^\s/,]+:\d+)*(\/[^\s]*)?$/.test(connect)) throw new UsageError(`bad ZooKeeper address "${connect}" (want host:port[,host:port][/chroot])`);
  return connect;
}

export async function openZk(connect: string): Promise<ZkSession> {
  const zk = new ZkSession({ connect: checkConnectString(connect), sessionTimeoutMs: 10_000, connectionTimeoutMs: 5_000, requestTimeoutMs: 10_000 });
  try {
    await zk.start();
  } catch (e) {
    await zk.close().catch(() => undefined);
    throw new ToolError(`cannot reach ZooKeeper at ${connect}: ${messageOf(e)}`);
  }
  return zk;
}

export function isNoNode(e: unknown): boolean {
  return isCoordinationError(e) && e.code === 'CRD_NO_NODE';
}

export function isNodeExists(e: unknown): boolean {
  return isCoordinationError(e) && e.code === 'CRD_NODE_EXISTS';
}
