/**
 * The CLI argument parser and client-property mapping, without a cluster: what an operator's
 * command line turns into, and which command lines are refused (exit 2 in the tools).
 */
import { expect } from 'chai';
import { keyValues, parseArgs, usage, UsageError, type ToolSpec } from '../../../scripts/cli/args.js';
import { consumerOptions, producerOptions } from '../../../scripts/cli/client-props.js';

const spec: ToolSpec = {
  name: 't.sh',
  summary: 's',
  flags: [
    { name: 'topic', arg: '<t>', help: '' },
    { name: 'config', arg: '<k=v>', repeat: true, help: '' },
    { name: 'producer-props', arg: '<k=v ...>', variadic: true, help: '' },
    { name: 'throughput', arg: '<n>', help: '' },
    { name: 'list', help: '' },
  ],
};

describe('cli: argument parsing', () => {
  it('reads values, repeats, variadic lists, --flag=value, negative numbers and switches', () => {
    const a = parseArgs(spec, ['--topic', 'orders', '--config', 'a=1', '--config=b=2', '--producer-props', 'acks=1', 'linger.ms=5', '--throughput', '-1', '--list']);
    expect(a.get('topic')).to.equal('orders');
    expect(a.all('config')).to.deep.equal(['a=1', 'b=2']);
    expect(a.all('producer-props')).to.deep.equal(['acks=1', 'linger.ms=5']);
    expect(a.int('throughput')).to.equal(-1);
    expect(a.has('list')).to.equal(true);
    expect(a.has('topicx')).to.equal(false);
  });

  it('refuses unknown flags, missing values, repeats of single flags, stray words and bad integers', () => {
    for (const argv of [['--nope'], ['--topic'], ['--topic', 'a', '--topic', 'b'], ['stray'], ['--list=x']]) {
      expect(() => parseArgs(spec, argv), argv.join(' ')).to.throw(UsageError);
    }
    expect(() => parseArgs(spec, ['--throughput', 'fast']).int('throughput')).to.throw(UsageError, /integer/);
    expect(() => parseArgs(spec, []).require('topic')).to.throw(UsageError, /--topic/);
  });

  it('splits Kafka config lists, keeping bracketed commas', () => {
    expect(keyValues(['a=1,b=[x,y]', 'c=3'], 'x', true)).to.deep.equal({ a: '1', b: 'x,y', c: '3' });
    expect(() => keyValues(['novalue'], '--config')).to.throw(UsageError, /key=value/);
  });

  it('usage lists every flag and --help', () => {
    const u = usage(spec);
    for (const f of ['--topic', '--config', '--producer-props', '--list', '--help']) expect(u).to.contain(f);
  });

  it('maps Kafka client properties; an explicit acks other than all turns off defaulted idempotence', () => {
    expect(producerOptions({ acks: '1', 'linger.ms': '5', 'compression.type': 'lz4' })).to.deep.equal({ acks: 1, lingerMs: 5, compression: 'lz4', idempotent: false });
    expect(producerOptions({ acks: 'all' })).to.deep.equal({ acks: -1 });
    expect(consumerOptions({ 'auto.offset.reset': 'earliest', 'max.poll.records': '10' })).to.deep.equal({ autoOffsetReset: 'earliest', maxPollRecords: 10 });
    expect(() => producerOptions({ 'no.such': '1' })).to.throw(UsageError, /unknown producer property/);
    expect(() => consumerOptions({ 'auto.offset.reset': 'sometimes' })).to.throw(UsageError);
  });
});
