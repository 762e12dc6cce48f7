import { expect } from 'chai';
import zookeeper from 'node-zookeeper-client';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { sharedZooKeeperConnect } from '../../helpers/shared-zookeeper.js';
import { fourLetterWord, REPO_ROOT, startZooKeeper } from '../../helpers/zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';

const execFileAsync = promisify(execFile);

async function roundTrip(connect: string, path: string): Promise<string> {
  const client = zookeeper.createClient(connect, { sessionTimeout: 4000, retries: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ZooKeeper connection to ${connect}`)), 10_000);
      client.once('connected', () => {
        clearTimeout(t);
        resolve();
      });
      client.connect();
    });
    await new Promise<void>((resolve, reject) =>
      client.create(path, Buffer.from('hello'), (err) => (err ? reject(err) : resolve())),
    );
    return await new Promise<string>((resolve, reject) =>
      client.getData(path, (err, data) => (err ? reject(err) : resolve(data.toString()))),
    );
  } finally {
    client.close();
  }
}

describe('zookeeper > real server via scripts', () => {
  it('the shared test ZooKeeper serves clients', async () => {
    const [host, port] = sharedZooKeeperConnect().split(':');
    expect(await fourLetterWord(host!, Number(port), 'srvr')).to.match(/^Mode: standalone/m);
    expect(await roundTrip(sharedZooKeeperConnect(), `/shared-${process.pid}-${Date.now()}`)).to.equal('hello');
  });

  it('zookeeper-server-start.sh -daemon starts a server a client can use; stop script stops it', async () => {
    const zk = await startZooKeeper();
    const pid = zk.pid;
    expect(pid).to.be.a('number');
    expect(await zk.mode()).to.equal('standalone');
    expect(await roundTrip(zk.connectString, '/samsa')).to.equal('hello');
    await zk.stop();
    await waitFor(() => {
      try {
        process.kill(pid!, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the ZooKeeper process to exit');
    expect(await zk.mode()).to.equal(undefined);

    // A restart keeps the previous run's log as zookeeper.out.1.
    const logFile = join(zk.options.dataDir, 'zookeeper.out');
    const firstRun = readFileSync(logFile, 'utf8');
    expect(firstRun.length).to.be.greaterThan(0);
    await zk.start();
    try {
      expect(readFileSync(`${logFile}.1`, 'utf8')).to.equal(firstRun);
      expect(await zk.mode()).to.equal('standalone');
    } finally {
      await zk.stop();
    }
  });

  it('refuses to start a second server on a port in use, with a clear message', async () => {
    const zk = await startZooKeeper();
    try {
      const err = await execFileAsync('bash', [join(REPO_ROOT, 'scripts', 'zookeeper-server-start.sh'), '-daemon', zk.configFile]).then(
        () => undefined,
        (e: Error & { stderr: string; code: number }) => e,
      );
      expect(err, 'second start must fail').to.not.equal(undefined);
      expect(err!.stderr).to.match(/already running|already in use/);
    } finally {
      await zk.stop();
    }
  });

  it('the stop script says so when there is nothing to stop', async () => {
    const zk = await startZooKeeper();
    await zk.stop();
    const err = await execFileAsync('bash', [join(REPO_ROOT, 'scripts', 'zookeeper-server-stop.sh'), zk.configFile]).then(
      () => undefined,
      (e: Error & { stderr: string }) => e,
    );
    expect(err?.stderr).to.contain('No ZooKeeper to stop');
  });
});
