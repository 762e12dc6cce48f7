/**
 * mocha global fixtures: suites other than `unit` and `compat` get one real ZooKeeper for the whole run,
 * stopped at the end. Its address is passed to tests as SAMSA_TEST_ZK.
 */
import { startZooKeeper, type ZooKeeperNode } from './zookeeper.js';

let zk: ZooKeeperNode | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  // The compat runner starts a ZooKeeper of its own for each cluster.
  if (['unit', 'compat'].includes(process.env['SAMSA_TEST_SUITE'] ?? '') || process.env['SAMSA_TEST_ZK']) return;
  zk = await startZooKeeper();
  process.env['SAMSA_TEST_ZK'] = zk.connectString;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await zk?.stop();
}
