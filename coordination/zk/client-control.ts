/**
 * What node-zookeeper-client 1.1.3 cannot do through its public API: drop a client without
 * ending its session, and create a chroot before connecting inside it.
 */
import zookeeper from 'node-zookeeper-client';
import { CoordinationError } from '../errors.js';
import { installLibraryFrameReader } from './frame-reader.js';
import type { Scheduler } from '../../common/index.js';
import type { ZkClient } from './raw-client.js';

/**
 * Drops a client without sending closeSession (which would end the session we may want to
 * resume). Private internals: state CLOSING stops the reconnect loop, destroying the socket fails
 * pending requests with CONNECTION_LOSS, and a reconnect already scheduled (spin delay) is made a
 * no-op that never talks to a server.
 */
export function abandonClient(client: ZkClient): void {
  type Cm = {
    state: number;
    socket?: { destroy(): void };
    connectTimeoutHandler?: ReturnType<typeof setTimeout> | null;
    connect(): void;
    onSocketConnected(): void;
  };
  const cm = (client as unknown as { connectionManager?: Cm }).connectionManager;
  if (cm === undefined) return;
  cm.connect = () => {};
  cm.onSocketConnected = function (this: Cm) {
    this.socket?.destroy();
  };
  cm.state = -1;
  if (cm.connectTimeoutHandler) clearTimeout(cm.connectTimeoutHandler);
  cm.socket?.destroy();
}

/** Creates `chroot` (and parents) through a short-lived client on the bare servers. */
export async function ensureChroot(servers: string, chroot: string, sessionTimeoutMs: number, connectionTimeoutMs: number, sched: Scheduler): Promise<void> {
  installLibraryFrameReader();
  const bare = zookeeper.createClient(servers, { sessionTimeout: sessionTimeoutMs, retries: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      const t = sched.setTimeout(() => reject(new CoordinationError('CRD_TIMEOUT', `no ZooKeeper at ${servers} within ${connectionTimeoutMs} ms`)), connectionTimeoutMs);
      bare.once('connected', () => {
        sched.clearTimeout(t);
        resolve();
      });
      bare.connect();
    });
    await new Promise<void>((resolve, reject) =>
      bare.mkdirp(chroot, (err) => (err ? reject(new CoordinationError('CRD_UNKNOWN', `cannot create chroot ${chroot}: ${String(err)}`)) : resolve())),
    );
  } finally {
    bare.close();
  }
}

export function hexSessionId(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`;
}
