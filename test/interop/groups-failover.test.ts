/**
 * The group coordinator's broker goes away while a group consumes steadily (`__consumer_offsets`
 * and the data topic at RF 3, min.insync.replicas=1): killed with SIGKILL under kcat -G members,
 * or shut down cleanly (broker-stop.sh, SIGTERM: controlled shutdown) under KafkaJS members.
 * Fault: the coordinator broker's process ends mid-consume while a producer writes acks=all.
 * Invariant: the group moves to the new leader of its offsets partition, the committed offsets
 * are intact there, consumption resumes with no skipped record (every offset of every partition
 * handed to some member), and every acknowledged record sits at its acknowledged offset. The scenario lives in groups/coordinator-failover.ts, shared
 * with the loop runner `npm run bench -- groups-failover-loop`. The stopped broker is restarted
 * after each scenario, so the next one starts from a full cluster.
 */
import { FAILOVER_CLUSTER_PROPERTIES, runCoordinatorFailover, restartStoppedBrokers, type MemberClient, type StopSignal } from './groups/coordinator-failover.js';
import { startGroupFixture, type GroupFixture } from './groups/fixtures.js';
import { stopAll, type GroupMember } from './groups/members.js';

const SCENARIOS: { title: string; client: MemberClient; signal: StopSignal }[] = [
  { title: 'kcat -G members, the coordinator broker killed with SIGKILL', client: 'kcat', signal: 'kill' },
  { title: 'KafkaJS members, the coordinator broker shut down cleanly (SIGTERM)', client: 'kafkajs', signal: 'term' },
];

describe('interop > groups failover: the coordinator broker goes away during a steady consume', function () {
  this.timeout(120_000);
  let f: GroupFixture;
  const members: GroupMember[] = [];

  before(async () => {
    f = await startGroupFixture({ ...FAILOVER_CLUSTER_PROPERTIES, 'min.insync.replicas': 1 });
  });

  afterEach(async () => {
    await stopAll(members.splice(0));
    await restartStoppedBrokers(f);
  });

  after(async () => {
    await stopAll(members.splice(0));
    await f?.stop();
  });

  for (const s of SCENARIOS) {
    it(`${s.title}: the group moves, committed offsets are intact, consumption resumes with no skipped record`, async () => {
      await runCoordinatorFailover(f, { client: s.client, signal: s.signal, members });
    });
  }
});
