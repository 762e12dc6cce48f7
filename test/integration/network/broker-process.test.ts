import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode } from '../../../protocol/index.js';
import { BROKER_START, BrokerProcess } from '../../helpers/broker-process.js';
import { KafkaSocket } from '../../helpers/kafka-socket.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';

const execFileAsync = promisify(execFile);

/**
 * What a broker process advertises: its handlers' ranges intersected with protocol/'s described
 * versions: minimum 0 everywhere (librdkafka's feature gates), maxima at Kafka 2.8's (SASL, ACL,
 * client quota and SCRAM APIs included), plus DescribeTransactions and ListTransactions (KIP-664, v0).
 */
const ADVERTISED = [
  [0, 0, 9], [1, 0, 12], [2, 0, 6], [3, 0, 11], [8, 0, 8], [9, 0, 7], [10, 0, 3], [11, 0, 7], [12, 0, 4], [13, 0, 4], [14, 0, 5],
  [15, 0, 5], [16, 0, 4], [17, 0, 1], [18, 0, 3], [19, 0, 6], [20, 0, 5], [21, 0, 2], [22, 0, 4], [23, 0, 4], [24, 0, 3], [25, 0, 3],
  [26, 0, 3], [28, 0, 3], [29, 0, 2], [30, 0, 2], [31, 0, 2], [32, 0, 4], [33, 0, 2], [34, 0, 2], [35, 0, 2], [36, 0, 2], [37, 0, 3],
  [42, 0, 2], [43, 0, 2], [44, 0, 1], [45, 0, 0], [46, 0, 0], [47, 0, 0], [48, 0, 1], [49, 0, 1], [50, 0, 0], [51, 0, 0],
  [57, 0, 0], [60, 0, 0], [61, 0, 0], [65, 0, 0], [66, 0, 0],
].map(([apiKey, minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion }));

function hasKcat(): boolean {
  return ['/usr/bin/kcat', '/usr/local/bin/kcat'].some((p) => existsSync(p));
}

describe('network > broker process (scripts/broker-start.sh, broker-stop.sh)', function () {
  this.timeout(90_000);
  const started: BrokerProcess[] = [];

  after(async () => {
    for (const b of started) if (b.isAlive()) await b.stop();
  });

  it('starts as a daemon, answers ApiVersions, and stops on broker-stop.sh', async () => {
    const broker = await BrokerProcess.create();
    started.push(broker);
    const result = await broker.start();
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(`PLAINTEXT://127.0.0.1:${broker.port}`);
    expect(broker.isAlive()).to.equal(true);

    const s = await KafkaSocket.connect('127.0.0.1', broker.port);
    const versions = await s.apiVersions(3);
    expect(versions.errorCode).to.equal(ErrorCode.NONE);
    expect(versions.apiKeys).to.deep.equal(ADVERTISED);
    s.close();
    expect(broker.log()).to.contain(`listening on INTERNAL://127.0.0.1:${broker.interBrokerPort}`);

    const pid = broker.pid!;
    const stop = await broker.stop();
    expect(stop.code, stop.stderr).to.equal(0);
    expect(existsSync(broker.pidFile)).to.equal(false);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    expect(alive, `pid ${pid} still running`).to.equal(false);
    expect(broker.log()).to.contain('broker stopped');
    await waitFor(() => broker.log().includes(`broker process ${pid} exited with status 0`), 'the exit status at the end of broker.out', { timeoutMs: 5_000 });
  });

  it('a restart keeps the previous runs\' logs (broker.out -> broker.out.1 -> ...), so a crash\'s evidence survives', async () => {
    // A short session: the restart waits out the killed run's registration.
    const broker = await BrokerProcess.create({ properties: { 'zookeeper.session.timeout.ms': 3000 } });
    started.push(broker);
    expect((await broker.start()).code).to.equal(0);
    const firstPid = broker.pid!;
    broker.signal('SIGKILL'); // the crash whose log must survive the restart
    await broker.waitExited();
    // A daemon's death is otherwise silent: its log ends with how it ended.
    await waitFor(() => broker.log().includes(`broker process ${firstPid} exited with status 137 (signal SIGKILL)`), 'the kill at the end of broker.out', { timeoutMs: 5_000 });
    const firstRun = broker.log();
    expect(firstRun).to.contain('listening on PLAINTEXT://');

    const second = await broker.start();
    expect(second.code, second.stderr).to.equal(0);
    expect(broker.pid).to.not.equal(firstPid);
    expect(readFileSync(`${broker.outFile}.1`, 'utf8')).to.equal(firstRun);
    expect(broker.log()).to.contain('listening on PLAINTEXT://');
    const secondPid = broker.pid!;
    expect((await broker.stop()).code).to.equal(0);
    await waitFor(() => broker.log().includes(`broker process ${secondPid} exited with status 0`), 'the exit status at the end of broker.out', { timeoutMs: 5_000 });
    const secondRun = broker.log();

    expect((await broker.start()).code).to.equal(0);
    expect(readFileSync(`${broker.outFile}.1`, 'utf8')).to.equal(secondRun);
    expect(readFileSync(`${broker.outFile}.2`, 'utf8')).to.equal(firstRun);
    expect((await broker.stop()).code).to.equal(0);
  });

  it('SAMSA_NODE_OPTS reaches node\'s command line: --cpu-prof (refused by Node 20 in NODE_OPTIONS) writes a profile at stop', async () => {
    const broker = await BrokerProcess.create();
    started.push(broker);
    const profDir = join(broker.logDir, '..', 'profile');
    const saved = process.env['SAMSA_NODE_OPTS'];
    process.env['SAMSA_NODE_OPTS'] = `--cpu-prof --cpu-prof-dir=${profDir}`;
    let result;
    try {
      result = await broker.start();
    } finally {
      if (saved === undefined) delete process.env['SAMSA_NODE_OPTS'];
      else process.env['SAMSA_NODE_OPTS'] = saved;
    }
    expect(result.code, result.stderr).to.equal(0);
    expect((await broker.stop()).code).to.equal(0);
    await waitFor(() => existsSync(profDir) && readdirSync(profDir).some((f) => f.endsWith('.cpuprofile')), 'a .cpuprofile in the profile dir', { timeoutMs: 10_000 });
  });

  it('refuses a bad configuration with a non-zero exit that names the key', async () => {
    const invalid = await BrokerProcess.create({ properties: { 'num.partitions': 'many' } });
    const r1 = await invalid.start();
    expect(r1.code).to.not.equal(0);
    expect(r1.stderr).to.contain('num.partitions');
    expect(r1.stderr).to.not.match(/\n\s+at .*\.ts:\d+/); // a message, not a stack trace

    const unknown = await BrokerProcess.create({ properties: { 'num.partitons': 3 } });
    const r2 = await unknown.start();
    expect(r2.code).to.not.equal(0);
    expect(r2.stderr).to.contain('num.partitons').and.contain('num.partitions');
    expect(unknown.isAlive()).to.equal(false);
  });

  it('--override wins over the file and a used port fails the start with a message', async () => {
    const first = await BrokerProcess.create();
    started.push(first);
    expect((await first.start()).code).to.equal(0);
    const second = await BrokerProcess.create();
    const clash = `listeners=PLAINTEXT://127.0.0.1:${first.port},INTERNAL://127.0.0.1:${second.interBrokerPort}`;
    const r = await second.start(['--override', clash]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain(String(first.port));
    await first.stop();
  });

  it('--help lists every configuration key with its default', async () => {
    const { stdout } = await execFileAsync('bash', [BROKER_START, '--help'], { timeout: 30_000 });
    expect(stdout).to.contain('usage:');
    expect(stdout).to.match(/socket\.request\.max\.bytes\s+\[int\]\s+default: 104857600/);
    expect(stdout).to.match(/zookeeper\.connect\s+\[string\]\s+default: \(required\)/);
  });

  it('runs from the bundle in .build/ (rebuilt when a source is newer than it) and serves the dashboard from the checkout', async () => {
    // Earlier starts built it; make every source newer than the current build.
    const current = join(REPO_ROOT, '.build', 'current');
    const before = readlinkSync(current);
    utimesSync(join(current, '.stamp'), new Date('2001-01-01'), new Date('2001-01-01'));
    const httpPort = await freePort();
    const broker = await BrokerProcess.create({ properties: { 'admin.http.listener': `127.0.0.1:${httpPort}` } });
    started.push(broker);
    const result = await broker.start();
    expect(result.code, result.stderr).to.equal(0);
    expect(readlinkSync(current), 'a new build after the stamp went stale').to.not.equal(before);
    const cmdline = readFileSync(`/proc/${broker.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline.some((a) => a.startsWith(join(REPO_ROOT, '.build')) && a.endsWith('/broker/main.mjs')), cmdline.join(' ')).to.equal(true);
    const page = await fetch(`http://127.0.0.1:${httpPort}/ui/`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain('<title>Samsa dashboard</title>');
    expect((await broker.stop()).code).to.equal(0);
  });

  it('kcat completes the ApiVersions handshake', async function () {
    if (!hasKcat()) this.skip();
    const broker = await BrokerProcess.create();
    started.push(broker);
    expect((await broker.start()).code).to.equal(0);
    // Metadata is not served yet, so kcat fails after the handshake; its debug log shows how far it got.
    const out = await execFileAsync('kcat', ['-b', `127.0.0.1:${broker.port}`, '-L', '-m', '3', '-d', 'protocol,broker'], { timeout: 20_000 }).then(
      (r) => r.stderr + r.stdout,
      (e: { stderr?: string; stdout?: string }) => (e.stderr ?? '') + (e.stdout ?? ''),
    );
    await waitFor(() => broker.isAlive(), 'the broker to survive kcat');
    expect(out).to.match(/Received ApiVersionResponse \(v3,/);
    expect(out).to.match(/APIVERSION_QUERY -> UP/);
    expect(out).to.not.match(/ApiArrayCnt|Protocol parse failure/);
    await broker.stop();
  });
});
