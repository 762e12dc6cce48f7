/**
 * scripts/broker-start.sh runs the broker with its garbage-collector defaults
 * (SAMSA_NODE_PERFORMANCE_OPTS, Kafka's KAFKA_JVM_PERFORMANCE_OPTS), which an operator replaces by
 * setting the variable, even empty; SAMSA_NODE_OPTS still adds its flags either way.
 */
import { expect } from 'chai';
import { BrokerProcess } from '../../helpers/broker-process.js';

const DEFAULT_FLAGS = ['--single-threaded-gc'];

describe('network > broker process GC flags (SAMSA_NODE_PERFORMANCE_OPTS)', function () {
  this.timeout(90_000);
  const started: BrokerProcess[] = [];
  const saved = { perf: process.env['SAMSA_NODE_PERFORMANCE_OPTS'], opts: process.env['SAMSA_NODE_OPTS'] };

  function setEnv(name: string, value: string | undefined): void {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }

  async function startWith(perf: string | undefined, opts: string | undefined): Promise<BrokerProcess> {
    const b = await BrokerProcess.create();
    started.push(b);
    setEnv('SAMSA_NODE_PERFORMANCE_OPTS', perf);
    setEnv('SAMSA_NODE_OPTS', opts);
    try {
      const r = await b.start();
      expect(r.code, r.stderr).to.equal(0);
    } finally {
      setEnv('SAMSA_NODE_PERFORMANCE_OPTS', saved.perf);
      setEnv('SAMSA_NODE_OPTS', saved.opts);
    }
    return b;
  }

  after(async () => {
    for (const b of started) if (b.isAlive()) await b.stop();
  });

  it('runs with the default GC flags, and SAMSA_NODE_OPTS comes after them', async () => {
    const b = await startWith(undefined, '--max-old-space-size=512');
    const flags = b.nodeFlags();
    expect(flags).to.include.members([...DEFAULT_FLAGS, '--max-old-space-size=512']);
    expect(flags.indexOf('--max-old-space-size=512')).to.be.greaterThan(flags.indexOf(DEFAULT_FLAGS[0]!));
    expect((await b.stop()).code).to.equal(0);
  });

  it('an empty SAMSA_NODE_PERFORMANCE_OPTS leaves V8 its own defaults; a value replaces them', async () => {
    const plain = await startWith('', undefined);
    for (const f of DEFAULT_FLAGS) expect(plain.nodeFlags()).to.not.include(f);
    expect((await plain.stop()).code).to.equal(0);

    const own = await startWith('--max-semi-space-size=32', undefined);
    expect(own.nodeFlags()).to.include('--max-semi-space-size=32');
    expect(own.nodeFlags()).to.not.include(DEFAULT_FLAGS[0]);
    expect((await own.stop()).code).to.equal(0);
  });
});
