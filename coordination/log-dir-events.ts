/**
 * Kafka's log-directory failure notifications (ZkData's LogDirEventNotification): a broker whose
 * log directory failed creates a persistent sequential child of /log_dir_event_notification; the
 * controller watches the children, acts on the broker ids they name and deletes them.
 */
import { getDataOrNull, readChildrenOrEmpty } from './cluster-store.js';
import { LOG_DIR_EVENT_NOTIFICATION_PATH, LOG_DIR_EVENT_PREFIX } from './paths.js';
import type { CoordinationStore, Watcher } from './store.js';
import { decodeLogDirEventNotification, encodeLogDirEventNotification } from './znodes/codecs.js';

/** Broker side (KafkaZkClient.propagateLogDirEvent). Returns the created path. */
export function propagateLogDirEvent(store: CoordinationStore, brokerId: number): Promise<string> {
  return store.create(`${LOG_DIR_EVENT_NOTIFICATION_PATH}/${LOG_DIR_EVENT_PREFIX}`, encodeLogDirEventNotification(brokerId), 'persistent_sequential');
}

export interface LogDirEventNode {
  /** Child name, e.g. `log_dir_event_0000000003`. */
  readonly name: string;
  readonly path: string;
  readonly brokerId: number;
}

/**
 * Controller side: every pending notification (re-arming the child watch). A node deleted
 * between the listing and the read is skipped; one that does not parse is returned with broker
 * -1, so the caller can still delete it.
 */
export async function readLogDirEvents(store: CoordinationStore, watcher?: Watcher): Promise<LogDirEventNode[]> {
  const names = await readChildrenOrEmpty(store, LOG_DIR_EVENT_NOTIFICATION_PATH, watcher);
  const out: LogDirEventNode[] = [];
  for (const name of names.filter((n) => n.startsWith(LOG_DIR_EVENT_PREFIX)).sort()) {
    const path = `${LOG_DIR_EVENT_NOTIFICATION_PATH}/${name}`;
    const node = await getDataOrNull(store, path);
    if (node === null) continue;
    let brokerId = -1;
    try {
      brokerId = decodeLogDirEventNotification(node.data, path).brokerId;
    } catch {
      // Left at -1: nothing to act on, but the node is still removed.
    }
    out.push({ name, path, brokerId });
  }
  return out;
}
