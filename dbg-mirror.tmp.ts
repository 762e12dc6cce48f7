import { startZooKeeper } from './test/helpers/zookeeper.js';
import { startCluster } from './test/helpers/cluster.js';
import { mirrorClusterProperties } from './test/helpers/mirror.js';
import { Admin, Producer, mirror } from './client/index.js';

const zk = await startZooKeeper();
const a = await startCluster({ size: 1, zookeeperConnect: `${zk.connectString}/a`, properties: mirrorClusterProperties(1) });
const b = await startCluster({ size: 1, zookeeperConnect: `${zk.connectString}/b`, properties: mirrorClusterProperties(1) });
try {
  const admin = new Admin({ brokers: [a.bootstrap] });
  await admin.createTopics([{ topic: 'events', numPartitions: 3, replicationFactor: 1 }]);
  admin.close();
  const p = new Producer<string, string>({ brokers: [a.bootstrap], lingerMs: 5 });
  let stop = false;
  let seq = 0;
  const loadDone = (async () => { const t = Date.now(); while (!stop) { const due = 20000 + Math.floor((Date.now() - t) * 3); const batch = []; for (; seq < due; seq++) batch.push(p.send({ topic: 'events', partition: seq % 3, key: `k${seq}`, value: `v${seq}` })); await Promise.all(batch); await new Promise((r) => setTimeout(r, 5)); } })();
  const cfg = mirror.parseMirrorMakerConfig(Object.entries({
    clusters: 'A, B', 'A.bootstrap.servers': a.bootstrap, 'B.bootstrap.servers': b.bootstrap, 'A->B.enabled': 'true', 'A->B.topics': 'events',
    'replication.factor': '1', 'offset-syncs.topic.replication.factor': '1', 'checkpoints.topic.replication.factor': '1', 'heartbeats.topic.replication.factor': '1', 'offset.storage.replication.factor': '1', 'offset.flush.interval.ms': '1000',
  }).map(([key, value]) => ({ key, value })));
  const log = { info: (o: object, m: string) => console.log('INFO', m, JSON.stringify(o)), warn: (o: object, m: string) => console.log('WARN', m, JSON.stringify(o)), error: (o: object, m: string) => console.log('ERR', m, JSON.stringify(o)) };
  const mm = new mirror.MirrorMaker(cfg, { log });
  const t0 = Date.now();
  let lastTick = Date.now();
  const iv = setInterval(() => {
    const now = Date.now();
    const f = mm.metrics.allFlows()[0];
    const rc = mm.metrics.allPartitions().map((x) => x.recordCount).join(',');
    const fl = (mm as any).flows[0];
    const st = (pr: any) => pr ? `q=${pr.acc.hasQueued()} inflight=${pr.sender.inFlightRequests} pid=${pr.sender.idempotence?.hasProducerId} due=${pr.sender.timerDueMs === Infinity ? 'inf' : pr.sender.timerDueMs - now} sched=${pr.sender.scheduled}` : '';
    console.log('SRC', st(fl.sourceProducer), 'TGT', st(fl.targetProducer), 'task', st(fl.tasks[0]?.producer));
    console.log('t', now - t0, 'tickgap', now - lastTick, 'sent', seq, 'rc', rc, f ? `syncs=${f.counters.offsetSyncs} commits=${f.counters.offsetCommits} hb=${f.counters.heartbeats}` : '');
    lastTick = now;
  }, 500);
  mm.start();
  await new Promise((r) => setTimeout(r, 15000));
  clearInterval(iv);
  stop = true; await loadDone; await p.close();
  await mm.stop();
} finally {
  await a.stop(); await b.stop(); await zk.stop();
}
