import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDeb822Sources, parseDscChecksums, parseOneLineSources, privateSourcesList } from '../../../compat/apt.js';
import { parseAllowlist, parseRunResults, parseTestList, selectTests } from '../../../compat/librdkafka-tests.js';
import { formatTable, stripAnsi, summarize } from '../../../compat/report.js';
import { ALLOWLIST_FILE } from '../../../compat/suites/librdkafka.js';
import { tmpDir } from '../../helpers/tmp.js';

describe('compat > private apt sources', () => {
  it('mirrors the Debian deb entries of both formats as deb-src lines, leaving other repositories out', () => {
    const etc = tmpDir();
    mkdirSync(join(etc, 'sources.list.d'));
    writeFileSync(join(etc, 'sources.list'), '# old style\ndeb http://ftp.de.debian.org/debian bookworm main contrib\ndeb-src http://x/debian bookworm main\n');
    writeFileSync(join(etc, 'sources.list.d', 'debian.sources'), [
      'Types: deb',
      '# http://snapshot.debian.org/archive/debian/20250520T000000Z',
      'URIs: http://deb.debian.org/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      '',
      'Types: deb',
      'URIs: http://deb.debian.org/debian-security',
      'Suites: bookworm-security',
      'Components: main',
      'Enabled: no',
      '',
    ].join('\n'));
    writeFileSync(join(etc, 'sources.list.d', 'vendor.list'), 'deb [signed-by=/k.gpg] https://packages.vendor.example/apt stable main\n');
    writeFileSync(join(etc, 'sources.list.d', 'other.list.disabled'), 'deb http://deb.debian.org/debian sid main\n');
    expect(privateSourcesList(etc).trim().split('\n')).to.deep.equal([
      'deb-src http://ftp.de.debian.org/debian bookworm main contrib',
      'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main',
      'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main',
    ]);
  });

  it('refuses a system without a Debian archive entry instead of writing an empty list', () => {
    const etc = tmpDir();
    writeFileSync(join(etc, 'sources.list'), 'deb https://packages.vendor.example/apt stable main\n');
    expect(() => privateSourcesList(etc)).to.throw(/no Debian archive/);
  });

  it('parses one-line options and deb822 continuation lines', () => {
    expect(parseOneLineSources('deb [arch=amd64 signed-by=/a.gpg] http://h/debian  trixie main non-free # c\n')).to.deep.equal([
      { uri: 'http://h/debian', suite: 'trixie', components: ['main', 'non-free'], signedBy: '/a.gpg' },
    ]);
    expect(parseDeb822Sources('Types: deb deb-src\nURIs: http://a/debian\n http://b/debian\nSuites: s\nComponents: main\n')).to.have.length(2);
  });

  it('reads the SHA-256 of each file of a .dsc', () => {
    const dsc = 'Format: 3.0 (quilt)\nChecksums-Sha256:\n 3fa1 142709 kafkacat_1.7.1.orig.tar.gz\n 9bc2 3508 kafkacat_1.7.1-2.debian.tar.xz\nFiles:\n md5 1 x\n';
    expect(parseDscChecksums(dsc)).to.deep.equal([
      { sha256: '3fa1', name: 'kafkacat_1.7.1.orig.tar.gz' },
      { sha256: '9bc2', name: 'kafkacat_1.7.1-2.debian.tar.xz' },
    ]);
  });
});

const TEST_C = `
struct test tests[] = {
    {.name = "<MAIN>", .flags = TEST_F_LOCAL},
    _TEST(0000_unittests,
          TEST_F_LOCAL,
          _THRES(.ucpu = 100.0)),
    _TEST(0001_multiobj, 0),
    _TEST(0022_consume_batch, 0),
    _TEST(0022_consume_batch_local, TEST_F_LOCAL),
    _TEST(0045_subscribe_update_topic_remove,
          0,
          TEST_BRKVER(0, 9, 0, 0),
          .scenario = "noautocreate"),
    _TEST(0103_transactions,
          0,
          TEST_BRKVER(0, 11, 0, 0),
          .scenario = "default,ak23"),
    {NULL}};
`;

describe('compat > librdkafka test list and allowlist', () => {
  it("reads test.c's table: names, local flags, scenarios", () => {
    expect(parseTestList(TEST_C)).to.deep.equal([
      { name: '0000_unittests', number: '0000', local: true, scenario: 'default' },
      { name: '0001_multiobj', number: '0001', local: false, scenario: 'default' },
      { name: '0022_consume_batch', number: '0022', local: false, scenario: 'default' },
      { name: '0022_consume_batch_local', number: '0022', local: true, scenario: 'default' },
      { name: '0045_subscribe_update_topic_remove', number: '0045', local: false, scenario: 'noautocreate' },
      { name: '0103_transactions', number: '0103', local: false, scenario: 'default,ak23' },
    ]);
  });

  it('selects fast tests, or fast and run tests, never excluded or local ones', () => {
    const tests = parseTestList(TEST_C);
    const allow = parseAllowlist('0001_multiobj fast\n0022_consume_batch run # comment\n0045_subscribe_update_topic_remove run\n0103_transactions exclude transactions\n');
    expect(selectTests(tests, allow, true).map((t) => t.name)).to.deep.equal(['0001_multiobj']);
    expect(selectTests(tests, allow, false).map((t) => t.name)).to.deep.equal(['0001_multiobj', '0022_consume_batch', '0045_subscribe_update_topic_remove']);
  });

  it('refuses an allowlist that misses a broker test, names an unknown or local one, or excludes without a reason', () => {
    const tests = parseTestList(TEST_C);
    expect(() => selectTests(tests, parseAllowlist('0001_multiobj fast\n'), false)).to.throw(/not in the allowlist.*0022_consume_batch, 0045_subscribe_update_topic_remove, 0103_transactions/);
    expect(() => selectTests(tests, parseAllowlist('0001_multiobj fast\n0022_consume_batch run\n0045_subscribe_update_topic_remove run\n0103_transactions run\n0999_new run\n0022_consume_batch_local run\n'), false))
      .to.throw(/not in tests\/test.c: 0999_new.*local tests .*0022_consume_batch_local/);
    expect(() => parseAllowlist('0001_multiobj exclude\n', 'a.txt')).to.throw(/a.txt:1: excluded test 0001_multiobj needs a reason/);
    expect(() => parseAllowlist('0001_multiobj maybe\n', 'a.txt')).to.throw(/a.txt:1: expected/);
  });

  it('the shipped allowlist parses, gives every exclusion a reason and has a fast subset', () => {
    const allow = parseAllowlist(readFileSync(ALLOWLIST_FILE, 'utf8'), ALLOWLIST_FILE);
    const verdicts = [...allow.values()].map((e) => e.verdict);
    expect(verdicts.filter((v) => v === 'fast').length).to.be.within(10, 30);
    expect(verdicts.filter((v) => v === 'run').length).to.be.greaterThan(40);
  });
});

describe('compat > librdkafka run results', () => {
  const wanted = parseTestList(TEST_C).filter((t) => !t.local);
  const output = stripAnsi([
    '\x1b[36m[0001_multiobj               /  1.405s] \x1b[32m================= Test 0001_multiobj PASSED =================\x1b[0m',
    '[0045_subscribe_update_topic_remove /  0.001s] TEST FAILURE',
    '### Test "0045_subscribe_update_topic_remove" failed at test.c:4573:test_kafka_topics() at Sun Dec  6 20:52:58 2026: ###',
    'test_kafka_topics: KAFKA_PATH and ZK_ADDRESS must be set',
    'TEST 20261206205730 (bare, scenario default) SUMMARY',
    '| 0001_multiobj                            |     PASSED |   1.405s |',
    '| 0022_consume_batch                       |    SKIPPED |   0.000s | Test skipped due to quick mode',
    '| 0045_subscribe_upda',
  ].join('\n'));

  it('takes states from the report, reasons from the summary or the failure block', () => {
    const report = JSON.stringify({ tests: {
      '0001_multiobj': { name: '0001_multiobj', state: 'PASSED', duration: 1.405 },
      '0022_consume_batch': { name: '0022_consume_batch', state: 'SKIPPED', duration: 0 },
      '0045_subscribe_update_topic_remove': { name: '0045_subscribe_update_topic_remove', state: 'FAILED', duration: 0.002 },
    } });
    expect(parseRunResults(wanted, report, output)).to.deep.equal([
      { name: '0001_multiobj', outcome: 'passed', seconds: 1.405 },
      { name: '0022_consume_batch', outcome: 'skipped', seconds: 0, reason: 'Test skipped due to quick mode' },
      { name: '0045_subscribe_update_topic_remove', outcome: 'failed', seconds: 0.002, reason: 'test_kafka_topics: KAFKA_PATH and ZK_ADDRESS must be set (at test.c:4573:test_kafka_topics())' },
      { name: '0103_transactions', outcome: 'failed', seconds: 0, reason: 'no result: the test runner did not report this test' },
    ]);
  });

  it('falls back to the summary table when the report is missing or cut short', () => {
    const results = parseRunResults(wanted, '{"tests": {"0001_m', output);
    expect(results.map((r) => r.outcome)).to.deep.equal(['passed', 'skipped', 'failed', 'failed']);
    expect(results[0]!.seconds).to.equal(1.405);
  });
});

describe('compat > report', () => {
  it('counts outcomes, lists failures and prints one row per test', () => {
    const results = [
      { name: 'a', outcome: 'passed' as const, seconds: 1.25 },
      { name: 'bb', outcome: 'failed' as const, seconds: 3, reason: 'Broker:\n  Unknown topic' },
      { name: 'c', outcome: 'skipped' as const, seconds: 0, reason: 'needs SR_URL' },
    ];
    expect(summarize('kcat', 'full', results, 12.34)).to.deep.equal({
      suite: 'kcat', mode: 'full', passed: 1, failed: 1, skipped: 1, failures: [{ name: 'bb', reason: 'Broker:\n  Unknown topic' }], seconds: 12.3,
    });
    expect(formatTable(results).split('\n')).to.deep.equal([
      'test  result   seconds  reason',
      'a     passed       1.3',
      'bb    failed       3.0  Broker: Unknown topic',
      'c     skipped      0.0  needs SR_URL',
    ]);
  });
});
