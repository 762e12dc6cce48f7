/**
 * Controller election (KafkaZkClient.registerControllerAndIncrementControllerEpoch): one multi
 * that creates the ephemeral /controller and bumps /controller_epoch at the version read, so the
 * winner's epoch and the zk version it will fence every later write with come from one atomic step.
 */
import { CoordinationError, isCoordinationError } from './errors.js';
import { CONTROLLER_EPOCH_PATH, CONTROLLER_PATH } from './paths.js';
import { ops, type CoordinationStore, type Watcher } from './store.js';
import { decodeController, decodeControllerEpoch, encodeController, encodeControllerEpoch } from './znodes/codecs.js';

export interface ControllerLease {
  readonly brokerId: number;
  readonly controllerEpoch: number;
  /** zk version of /controller_epoch written by the election: the fence for every later write. */
  readonly epochZkVersion: number;
}

export type ElectionOutcome =
  | { readonly won: true; readonly lease: ControllerLease }
  | { readonly won: false; readonly activeControllerId: number };

/** Active controller id, or -1 if none; the watcher (if any) fires on create/delete/change. */
export async function readActiveController(store: CoordinationStore, watcher?: Watcher): Promise<number> {
  for (let i = 0; i < 3; i++) {
    const stat = await store.exists(CONTROLLER_PATH, watcher);
    if (stat === null) return -1;
    try {
      return decodeController((await store.getData(CONTROLLER_PATH)).data).brokerId;
    } catch (err) {
      if (!isCoordinationError(err, 'CRD_NO_NODE')) throw err;
    }
  }
  return -1;
}

async function readControllerEpoch(store: CoordinationStore): Promise<{ epoch: number; zkVersion: number } | null> {
  try {
    const { data, stat } = await store.getData(CONTROLLER_EPOCH_PATH);
    return { epoch: decodeControllerEpoch(data), zkVersion: stat.version };
  } catch (err) {
    if (isCoordinationError(err, 'CRD_NO_NODE')) return null;
    throw err;
  }
}

export async function tryElectController(store: CoordinationStore, brokerId: number, timestamp: bigint): Promise<ElectionOutcome> {
  const active = await readActiveController(store);
  if (active !== -1) return { won: false, activeControllerId: active };
  let current = await readControllerEpoch(store);
  if (current === null) {
    try {
      // The first controller of a cluster gets epoch 1.
      await store.create(CONTROLLER_EPOCH_PATH, encodeControllerEpoch(0), 'persistent');
    } catch (err) {
      if (!isCoordinationError(err, 'CRD_NODE_EXISTS')) throw err;
    }
    current = await readControllerEpoch(store);
    if (current === null) throw new CoordinationError('CRD_NO_NODE', 'controller epoch vanished during election', { path: CONTROLLER_EPOCH_PATH });
  }
  const next = current.epoch + 1;
  try {
    const results = await store.multi([
      ops.create(CONTROLLER_PATH, encodeController(brokerId, timestamp), 'ephemeral'),
      ops.setData(CONTROLLER_EPOCH_PATH, encodeControllerEpoch(next), current.zkVersion),
    ]);
    const set = results[1];
    if (set?.op !== 'setData') throw new CoordinationError('CRD_UNKNOWN', 'unexpected election multi result');
    return { won: true, lease: { brokerId, controllerEpoch: next, epochZkVersion: set.stat.version } };
  } catch (err) {
    if (!isCoordinationError(err, 'CRD_NODE_EXISTS') && !isCoordinationError(err, 'CRD_BAD_VERSION')) throw err;
  }
  // Lost the race, or a retried multi of ours had already succeeded: look at who holds it.
  const holder = await readActiveController(store);
  const epoch = await readControllerEpoch(store);
  if (holder === brokerId && epoch !== null && epoch.epoch === next) {
    const stat = await store.exists(CONTROLLER_PATH);
    if (stat !== null && stat.ephemeralOwner === store.sessionId) {
      return { won: true, lease: { brokerId, controllerEpoch: next, epochZkVersion: epoch.zkVersion } };
    }
  }
  return { won: false, activeControllerId: holder };
}

/** Voluntary resignation: delete /controller, but only while it is still ours (epoch-checked). */
export async function resignController(store: CoordinationStore, lease: ControllerLease): Promise<void> {
  try {
    await store.multi([ops.check(CONTROLLER_EPOCH_PATH, lease.epochZkVersion), ops.remove(CONTROLLER_PATH)]);
  } catch (err) {
    if (isCoordinationError(err) && !err.retriable) return;
    throw err;
  }
}
