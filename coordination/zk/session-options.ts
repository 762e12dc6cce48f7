/** What a ZkSession is opened with. */
import type { Scheduler } from '../../common/index.js';
import type { CoordinationLogger } from '../logger.js';
import type { DigestCredentials } from './znode-acls.js';

export interface ZkSessionOptions {
  /** `host:port[,host:port][/chroot]` (zookeeper.connect). */
  connect: string;
  /** zookeeper.session.timeout.ms */
  sessionTimeoutMs: number;
  /** zookeeper.connection.timeout.ms: how long start() waits for the first connection. */
  connectionTimeoutMs?: number;
  /** Upper bound for one request, including time spent waiting for a connection. */
  requestTimeoutMs?: number;
  logger?: CoordinationLogger;
  scheduler?: Scheduler;
  /** Disable the hung-server watchdog (tests of the watchdog itself turn it on explicitly). */
  watchdog?: boolean;
  /**
   * How long before the earliest possible expiry the session counts as maybe lost
   * (default: a fifth of the negotiated timeout, see zk/contact.ts).
   */
  contactMarginMs?: number;
  /** Digest identity the session authenticates as (sent again on every reconnect). */
  digest?: DigestCredentials;
  /** zookeeper.set.acl: znodes created by this session get Kafka's secure ACLs (znode-acls.ts); needs `digest`. */
  secureAcls?: boolean;
}
