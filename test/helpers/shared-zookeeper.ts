/**
 * One ZooKeeper per test run (started by the mocha global setup in global-setup.ts for the
 * suites that need it). Each test takes its own chroot so tests never see each other's znodes.
 */
import { randomName } from './random.js';

export function sharedZooKeeperConnect(): string {
  const connect = process.env['SAMSA_TEST_ZK'];
  if (!connect) throw new Error('no shared ZooKeeper: run this suite through scripts/test.sh (SAMSA_TEST_ZK is unset)');
  return connect;
}

/** A connection string with a fresh chroot, e.g. 127.0.0.1:21811/samsa-test-3fa9c1d2e0. */
export function testZkConnect(prefix = 'samsa-test'): string {
  return `${sharedZooKeeperConnect()}/${randomName(prefix)}`;
}
