/**
 * The shipped secured example (config/secure/server-{1,2,3}.properties + client.properties, with
 * certificates from scripts/make-test-certs.sh) as three broker processes started by
 * scripts/broker-start.sh. The files are used line for line; only what must differ in a test is
 * rewritten: ports (free ones), the certificate directory, log.dirs and the ZooKeeper chroot.
 * What a user of the README sees: the tools work with --command-config, a replicated topic gets a
 * full ISR (replication over the SASL_SSL inter-broker listener), records go in and out with kcat
 * over SASL_SSL, and a SCRAM user made with configs.sh logs in.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BROKER_START, BROKER_STOP } from '../../helpers/broker-process.js';
import { freePorts } from '../../helpers/ports.js';
import { randomName } from '../../helpers/random.js';
import { testZkConnect } from '../../helpers/shared-zookeeper.js';
import { tmpDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';
import { kcat } from '../../interop/kcat.js';

const run = promisify(execFile);
const EXAMPLE = join(REPO_ROOT, 'config', 'secure');

interface Started {
  file: string;
  logDir: string;
  saslPort: number;
}

describe('security > config/secure example: three SASL_SSL brokers from the shipped files', function () {
  this.timeout(180_000);
  const brokers: Started[] = [];
  let dir: string;
  let certs: string;
  let clientProps: string;

  const tool = (name: string, ...args: string[]) =>
    run(join(REPO_ROOT, 'scripts', `${name}.sh`), ['--bootstrap-server', `127.0.0.1:${brokers[0]!.saslPort}`, '--command-config', clientProps, ...args], { timeout: 60_000 });
  const kcatLogin = (mechanism: string, user: string, password: string): string[] => [
    '-b', `127.0.0.1:${brokers[0]!.saslPort}`, '-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${join(certs, 'ca.pem')}`,
    '-X', `sasl.mechanisms=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`,
  ];

  before(async function () {
    this.timeout(240_000);
    dir = tmpDir('samsa-secure-example-');
    certs = join(dir, 'certs');
    await run('bash', [join(REPO_ROOT, 'scripts', 'make-test-certs.sh'), certs]);
    const ports = await freePorts(9);
    const zk = testZkConnect('samsa-secure');
    for (const n of [1, 2, 3]) {
      const [sasl, internal, http] = [ports[n - 1]!, ports[n + 2]!, ports[n + 5]!];
      const text = readFileSync(join(EXAMPLE, `server-${n}.properties`), 'utf8')
        .replaceAll(`:${9192 + n}`, `:${sasl}`)
        .replaceAll(`:${19192 + n}`, `:${internal}`)
        .replaceAll(`:${8180 + n}`, `:${http}`)
        .replaceAll('config/secure/certs/', `${certs}/`)
        .replace(/^log\.dirs=.*$/m, `log.dirs=${join(dir, `data-${n}`)}`)
        .replace(/^zookeeper\.connect=.*$/m, `zookeeper.connect=${zk}`);
      const file = join(dir, `server-${n}.properties`);
      writeFileSync(file, text);
      const logDir = join(dir, `logs-${n}`);
      mkdirSync(logDir, { recursive: true });
      brokers.push({ file, logDir, saslPort: sasl });
    }
    clientProps = join(dir, 'client.properties');
    writeFileSync(clientProps, readFileSync(join(EXAMPLE, 'client.properties'), 'utf8').replaceAll('config/secure/certs/', `${certs}/`));
    await Promise.all(brokers.map((b) => run('bash', [BROKER_START, '-daemon', b.file], { env: { ...process.env, LOG_DIR: b.logDir }, timeout: 90_000 })));
    let last = '';
    try {
      await waitFor(
        async () => {
          const md = await kcat([...kcatLogin('PLAIN', 'admin', 'admin-secret'), '-L', '-m', '5'], undefined, 20_000);
          last = `${md.stdout}\n${md.stderr}`;
          return md.code === 0 && /3 brokers:/.test(md.stdout);
        },
        'all three brokers in the metadata over SASL_SSL',
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    } catch (err) {
      const logs = brokers.map((b, i) => `--- broker ${i + 1}\n${readFileSync(join(b.logDir, 'broker.out'), 'utf8').split('\n').slice(-15).join('\n')}`);
      throw new Error(`${(err as Error).message}\nlast kcat -L:\n${last}\n${logs.join('\n')}`);
    }
  });

  after(async () => {
    await Promise.all(brokers.map((b) => run('bash', [BROKER_STOP, b.file], { env: { ...process.env, LOG_DIR: b.logDir }, timeout: 40_000 }).catch(() => undefined)));
  });

  it('topics.sh with --command-config makes an RF 3 topic whose ISR fills over the SASL_SSL inter-broker listener; kcat writes and reads over SASL_SSL', async () => {
    const topic = randomName('secure');
    await tool('topics', '--create', '--topic', topic, '--partitions', '3', '--replication-factor', '3');
    const produced = await kcat([...kcatLogin('PLAIN', 'admin', 'admin-secret'), '-P', '-t', topic, '-p', '0', '-X', 'acks=all'], 'one\ntwo\nthree\n');
    expect(produced.code, produced.stderr).to.equal(0);
    await waitFor(
      async () => {
        const { stdout } = await tool('topics', '--describe', '--topic', topic);
        return [...stdout.matchAll(/Isr: ([\d,]+)/g)].filter((m) => m[1]!.split(',').length === 3).length === 3;
      },
      'every partition with an ISR of 3',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const consumed = await kcat([...kcatLogin('PLAIN', 'admin', 'admin-secret'), '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e']);
    expect(consumed.stdout.trim().split('\n')).to.deep.equal(['one', 'two', 'three']);
  });

  it('a SCRAM-SHA-512 user made with configs.sh --command-config logs in; plaintext is refused on the SASL_SSL port', async () => {
    await tool('configs', '--entity-type', 'users', '--entity-name', 'alice', '--alter', '--add-config', 'SCRAM-SHA-512=[password=alice-secret]');
    await waitFor(
      async () => (await kcat([...kcatLogin('SCRAM-SHA-512', 'alice', 'alice-secret'), '-L', '-m', '5'], undefined, 20_000)).code === 0,
      'alice logs in with SCRAM-SHA-512',
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const plain = await kcat(['-b', `127.0.0.1:${brokers[0]!.saslPort}`, '-L', '-m', '5'], undefined, 30_000);
    expect(plain.code).to.not.equal(0);
  });
});
