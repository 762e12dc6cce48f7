import { expect } from 'chai';
import { ErrorCode } from '../../../protocol/index.js';
import type { KafkaSocket } from '../../helpers/kafka-socket.js';
import { freePort } from '../../helpers/ports.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { batch, createTopic, produce, startTestBroker, type TestBroker, waitForController, waitForLeadership } from './fixture.js';

describe('broker > HTTP admin API and metrics wired into the broker', function () {
  this.timeout(30_000);
  let b: TestBroker;
  let sock: KafkaSocket;
  let base: string;

  before(async () => {
    const port = await freePort();
    b = await startTestBroker(1, testZkConnect('samsa-http'), { 'admin.http.listener': `127.0.0.1:${port}` });
    await waitForController([b]);
    sock = await b.connect();
    base = b.broker.adminHttpUrl!;
    expect(base).to.equal(`http://127.0.0.1:${port}`);
  });

  after(async () => {
    sock?.close();
    await b?.stop();
  });

  it('answers /ready, /cluster and /topics/:name with the local log figures; /metrics counts produced bytes', async () => {
    await waitFor(async () => (await fetch(`${base}/ready`)).status === 200, 'the broker to report ready');
    const cluster = (await (await fetch(`${base}/cluster`)).json()) as { controllerId: number; brokers: { id: number }[]; clusterId: string };
    expect(cluster.controllerId).to.equal(1);
    expect(cluster.brokers.map((x) => x.id)).to.deep.equal([1]);
    expect(cluster.clusterId).to.equal(b.broker.clusterId);

    const topic = randomName('http');
    expect(await createTopic(sock, topic)).to.equal(ErrorCode.NONE);
    await waitForLeadership(b, topic, 0);
    expect((await produce(sock, topic, 0, batch(['a', 'b', 'c']))).errorCode).to.equal(ErrorCode.NONE);
    const t = (await (await fetch(`${base}/topics/${topic}`)).json()) as { partitions: { leader: number; log?: { highWatermark: number; logEndOffset: number } }[] };
    expect(t.partitions[0]!.leader).to.equal(1);
    expect(t.partitions[0]!.log).to.include({ highWatermark: 3, logEndOffset: 3 });

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).to.match(/kafka_server_replicamanager_leadercount\S* [1-9]/);
    expect(metrics).to.match(new RegExp(`kafka_server_brokertopicmetrics_messagesin_total\\{[^}]*topic="${topic}"[^}]*\\} 3`));
    expect(metrics).to.include('kafka_controller_kafkacontroller_activecontrollercount');
  });
});
