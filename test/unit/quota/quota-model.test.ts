import { expect } from 'chai';
import pino from 'pino';
import { ClientQuotaManager, QuotaConfigs, QuotaEnforcer, type QuotaEntity, type QuotaValues, precedence, resolveQuota, SampledRate, entityConfigPath, throttleTimeMs, validateQuotaValue } from '../../../broker/quota/index.js';
import { ApiKey } from '../../../protocol/index.js';
import { FakeZooKeeper } from '../../helpers/fake-coordination-store.js';
import { TestScheduler } from '../../helpers/test-scheduler.js';

const D = '<default>';
const key = (e: QuotaEntity): string => `${e.user ?? '-'}|${e.clientId ?? '-'}`;

describe('quota > entities, precedence, rate and throttle time', () => {
  it("Kafka's precedence: user+client > user+default-client > user > default-user+client > default-user+default-client > default-user > client > default-client", () => {
    expect(precedence('alice', 'app').map(key)).to.deep.equal([
      'alice|app', `alice|${D}`, 'alice|-', `${D}|app`, `${D}|${D}`, `${D}|-`, '-|app', `-|${D}`,
    ]);
    // Each row: what is configured (entity → producer_byte_rate), which one wins for <alice, app>, and the sensor it charges.
    const table: Array<{ configured: Array<[QuotaEntity, number]>; bound: number; sensor: string }> = [
      { configured: [[{ clientId: D }, 1], [{ clientId: 'app' }, 2]], bound: 2, sensor: '|app' },
      { configured: [[{ clientId: 'app' }, 2], [{ user: D }, 3]], bound: 3, sensor: 'alice|' },
      { configured: [[{ user: D }, 3], [{ user: D, clientId: D }, 4]], bound: 4, sensor: 'alice|app' },
      { configured: [[{ user: D, clientId: D }, 4], [{ user: D, clientId: 'app' }, 5]], bound: 5, sensor: 'alice|app' },
      { configured: [[{ user: D, clientId: 'app' }, 5], [{ user: 'alice' }, 6]], bound: 6, sensor: 'alice|' },
      { configured: [[{ user: 'alice' }, 6], [{ user: 'alice', clientId: D }, 7]], bound: 7, sensor: 'alice|app' },
      { configured: [[{ user: 'alice', clientId: D }, 7], [{ user: 'alice', clientId: 'app' }, 8]], bound: 8, sensor: 'alice|app' },
      { configured: [[{ user: 'bob' }, 9], [{ clientId: 'other' }, 10]], bound: -1, sensor: '' },
    ];
    for (const row of table) {
      const m = new Map<string, QuotaValues>(row.configured.map(([e, v]) => [key(e), { producer_byte_rate: v }]));
      const r = resolveQuota((e) => m.get(key(e)), 'producer_byte_rate', 'alice', 'app');
      expect(r?.bound ?? -1, JSON.stringify(row.configured)).to.equal(row.bound);
      if (r !== undefined) expect(`${r.sensor.user}|${r.sensor.clientId}`).to.equal(row.sensor);
    }
  });

  it('each quota type is resolved on its own', () => {
    const m = new Map<string, QuotaValues>([
      ['alice|-', { producer_byte_rate: 100 }],
      [`-|${D}`, { consumer_byte_rate: 200, producer_byte_rate: 50 }],
    ]);
    const lookup = (e: QuotaEntity): QuotaValues | undefined => m.get(key(e));
    expect(resolveQuota(lookup, 'producer_byte_rate', 'alice', 'x')?.bound).to.equal(100);
    expect(resolveQuota(lookup, 'consumer_byte_rate', 'alice', 'x')?.bound).to.equal(200);
    expect(resolveQuota(lookup, 'request_percentage', 'alice', 'x')).to.equal(undefined);
  });

  it('refuses unknown keys and non-positive or fractional byte rates', () => {
    expect(() => validateQuotaValue('producer_bytes', 1)).to.throw(/not a quota/);
    expect(() => validateQuotaValue('producer_byte_rate', 0)).to.throw(/positive/);
    expect(() => validateQuotaValue('consumer_byte_rate', 1.5)).to.throw(/whole number/);
    expect(() => validateQuotaValue('request_percentage', 12.5)).to.not.throw();
  });

  it("rate divides by at least samples−1 windows, then by the elapsed time since the oldest window (Kafka's Rate)", () => {
    const r = new SampledRate({ samples: 11, windowMs: 1000 });
    r.record(10_000, 0);
    expect(r.measure(0)).to.equal(1000); // 10 000 over the minimum 10 s
    expect(r.windowSizeMs(500)).to.equal(10_500);
    for (let t = 1000; t <= 20_000; t += 1000) r.record(1000, t);
    // Samples 10..20 s remain (11 windows of 1000): 11 000 bytes over 10 s elapsed since the oldest.
    expect(r.measure(20_000)).to.be.closeTo(1100, 1e-9);
    expect(r.measure(40_000)).to.equal(0); // everything expired
  });

  it("throttle time is (rate − bound) / bound × window, as Kafka's QuotaUtils", () => {
    expect(throttleTimeMs(1000, 1000, 10_000)).to.equal(0);
    expect(throttleTimeMs(1500, 1000, 10_000)).to.equal(5000);
    expect(throttleTimeMs(1100, 1000, 11_000)).to.equal(1100);
  });

  it('a client producing at twice its quota and obeying the throttle settles at the quota', () => {
    const clock = new TestScheduler(0);
    const m = new ClientQuotaManager({ rate: { samples: 11, windowMs: 1000 }, clock, lookup: (e) => (e.clientId === 'fast' && e.user === undefined ? { producer_byte_rate: 100_000 } : undefined) });
    let sent = 0;
    // 20 KB every 100 ms (200 KB/s) unless throttled, for 60 s.
    while (clock.now() < 60_000) {
      const t = m.recordAndGetThrottleTimeMs('producer_byte_rate', 'User:ANONYMOUS', 'fast', 20_000);
      sent += 20_000;
      clock.tick(Math.max(100, t));
    }
    expect(sent / 60).to.be.within(90_000, 115_000);
    const snap = m.snapshot();
    expect(snap).to.have.length(1);
    expect(snap[0]).to.include({ quotaType: 'Produce', user: '', clientId: 'fast', bound: 100_000 });
    expect(snap[0]!.throttledRequests).to.be.greaterThan(0);
    // Other clients have no quota and are never throttled.
    expect(m.recordAndGetThrottleTimeMs('producer_byte_rate', 'User:ANONYMOUS', 'slow', 10_000_000)).to.equal(0);
  });

  it("a client sending 40× its quota gets one burst per quota span (Kafka's Rate): held at the quota over whole spans, not over 20 s", () => {
    const clock = new TestScheduler(0);
    const quota = 1 << 20;
    const m = new ClientQuotaManager({ rate: { samples: 11, windowMs: 1000 }, clock, lookup: (e) => (e.clientId === 'fast' && e.user === undefined ? { producer_byte_rate: quota } : undefined) });
    // 16.5 KB requests every 0.4 ms (~40 MB/s) whenever the connection is not muted, for 100 s.
    const at: number[] = [];
    let mutedUntil = 0;
    for (let t = 0; t < 100_000; t = Math.max(t + 0.4, mutedUntil)) {
      clock.tick(Math.floor(t) - clock.now());
      const throttle = m.recordAndGetThrottleTimeMs('producer_byte_rate', 'User:ANONYMOUS', 'fast', 16_500);
      at.push(t);
      if (throttle > 0) mutedUntil = Math.max(mutedUntil, t + throttle);
    }
    const rate = (from: number, seconds: number): number => (at.filter((t) => t >= from && t < from + seconds * 1000).length * 16_500) / seconds / quota;
    // Whatever the phase, every span of 11 s (quota.window.num × size) and every 22 s hold the quota.
    for (let from = 12_000; from + 22_000 <= 100_000; from += 1_700) {
      expect(rate(from, 11), `11 s from ${from}`).to.be.within(0.85, 1.15);
      expect(rate(from, 22), `22 s from ${from}`).to.be.within(0.85, 1.15);
    }
    // 20 s spans hold one burst or two: what the first bench runs measured (0.58 ×, 0.97 ×).
    const twenty = Array.from({ length: 20 }, (_, i) => rate(12_000 + i * 3_000, 20));
    expect(Math.min(...twenty)).to.be.below(0.7);
    expect(Math.max(...twenty)).to.be.above(1);
  });

  it('the enforcer charges produce by request size, a consumer fetch by records read (taken back when throttled), every api by its time; handshake apis are exempt', () => {
    const clock = new TestScheduler(0);
    const charged: string[] = [];
    const m = new ClientQuotaManager({ rate: { samples: 2, windowMs: 1000 }, clock, lookup: () => ({ producer_byte_rate: 1000, consumer_byte_rate: 1000, request_percentage: 1 }) });
    const enforcer = new QuotaEnforcer(m);
    const cost = (apiKey: number, requestBytes = 0, requestNanos = 0) => ({ apiKey, principal: 'User:alice', clientId: 'c', requestBytes, requestNanos });
    expect(enforcer.throttleTimeMs(cost(ApiKey.Produce, 3000), { acks: 0 }, undefined)).to.equal(2000); // (3000−1000)/1000 × 1 s... rate 3000/1s
    // A consumer fetch is charged by its handler before the response is built; a throttled one
    // answers no records, so its bytes are taken back (Kafka's unrecordQuotaSensor).
    const reader = { principal: 'User:alice', clientId: 'c' };
    expect(enforcer.maxFetchBytes(reader)).to.equal(1000); // 1000 B/s × (2 − 1) windows of 1 s
    expect(enforcer.fetchThrottleMs(reader, 500)).to.equal(0);
    expect(enforcer.fetchThrottleMs(reader, 3000)).to.equal(2500); // 3500 B over 1 s against 1000
    expect(enforcer.fetchThrottleMs(reader, 400)).to.equal(0); // the 3000 were taken back: 900
    // The router's hook reads the handler's throttle time back for the mute.
    expect(enforcer.throttleTimeMs(cost(ApiKey.Fetch), { replicaId: -1 }, { throttleTimeMs: 2500, responses: [] })).to.equal(2500);
    expect(enforcer.throttleTimeMs(cost(ApiKey.Fetch), { replicaId: -1 }, { throttleTimeMs: 0, responses: [] })).to.equal(0);
    expect(enforcer.throttleTimeMs(cost(ApiKey.ApiVersions, 0, 1e9), {}, {})).to.equal(0);
    // 50 ms of work in one second is 5 % of a thread: five times request_percentage=1, a 4 s
    // throttle bounded to one quota window (Kafka's ClientRequestQuotaManager.maxThrottleTimeMs).
    expect(enforcer.throttleTimeMs(cost(ApiKey.Metadata, 100, 50e6), {}, {})).to.equal(1000);
    void charged;
    const types = m.snapshot().map((s) => s.quotaType).sort();
    expect(types).to.deep.equal(['Fetch', 'Produce', 'Request']);
  });
});

describe('quota > a consumer Fetch checked against request_percentage too (KafkaApis 2.8)', () => {
  it('over request_percentage alone the fetch is throttled (answered empty), its bytes taken back; the encoding is recorded without a throttle', () => {
    const clock = new TestScheduler(0);
    const m = new ClientQuotaManager({ rate: { samples: 2, windowMs: 1000 }, clock, lookup: () => ({ consumer_byte_rate: 1000, request_percentage: 1 }) });
    const enforcer = new QuotaEnforcer(m);
    const usage = (type: string): number => m.snapshot().find((s) => s.quotaType === type)?.rate ?? 0;
    // 5 ms of work so far: 0.5 % over the 1 s window floor, within request_percentage=1.
    let nanos = 5e6;
    const cheap = { principal: 'User:alice', clientId: 'c', requestTime: { nanos: () => nanos } as { nanos(): number; charged?: number } };
    expect(enforcer.fetchThrottleMs(cheap, 100)).to.equal(0);
    expect(cheap.requestTime.charged).to.equal(5e6);
    expect(usage('Fetch')).to.equal(100);
    // The router then records the rest (3 ms of encoding), never throttling for it.
    nanos = 8e6;
    expect(enforcer.throttleTimeMs({ apiKey: ApiKey.Fetch, principal: 'User:alice', clientId: 'c', requestBytes: 50, requestNanos: 8e6, chargedNanos: 5e6 }, { replicaId: -1 }, { throttleTimeMs: 0 })).to.equal(0);
    expect(usage('Request')).to.be.closeTo(0.8, 1e-9);
    // 20 ms more of work: 2.8 % against 1 %, while 100 more bytes stay within consumer_byte_rate.
    const costly = { principal: 'User:alice', clientId: 'c', requestTime: { nanos: () => 20e6 } as { nanos(): number; charged?: number } };
    const throttle = enforcer.fetchThrottleMs(costly, 100);
    expect(throttle).to.equal(1000); // (2.8 − 1) / 1 × 1 s, bounded to one window
    expect(usage('Fetch'), 'the bytes of the emptied answer taken back').to.equal(100);
    // The router reads the handler's throttle back for the mute and adds no second request charge.
    expect(enforcer.throttleTimeMs({ apiKey: ApiKey.Fetch, principal: 'User:alice', clientId: 'c', requestBytes: 50, requestNanos: 20e6, chargedNanos: 20e6 }, { replicaId: -1 }, { throttleTimeMs: throttle })).to.equal(1000);
    expect(usage('Request')).to.be.closeTo(2.8, 1e-9);
  });
});

describe('quota > controller_mutation_rate (KIP-599 token bucket, strict and permissive)', () => {
  const setup = () => {
    const clock = new TestScheduler(0);
    const m = new ClientQuotaManager({ rate: { samples: 3, windowMs: 1000 }, clock, lookup: (e) => (e.clientId === 'admin' && e.user === undefined ? { controller_mutation_rate: 2 } : undefined) });
    return { clock, enforcer: new QuotaEnforcer(m), client: { principal: 'User:ANONYMOUS', clientId: 'admin' } };
  };

  it('strict: the topic that overdraws the burst passes, the next ones are refused until the debt is paid back', () => {
    const { clock, enforcer, client } = setup();
    // Burst: 3 windows × 1 s × 2/s = 6 credits; 10 partitions leave a debt of 4 = 2 s at 2/s.
    const q = enforcer.controllerMutations(client, true);
    expect(q.record(10)).to.equal(true);
    expect(q.record(1)).to.equal(false);
    expect(q.throttleTimeMs()).to.equal(2000);
    clock.tick(500);
    expect(q.throttleTimeMs()).to.equal(1500); // the time the request spent waiting counts
    const next = enforcer.controllerMutations(client, true);
    expect(next.record(1)).to.equal(false);
    expect(next.throttleTimeMs()).to.equal(1500);
    clock.tick(1500);
    expect(enforcer.controllerMutations(client, true).record(1)).to.equal(true);
  });

  it('a handler validates first only for a client under the quota (limited)', () => {
    const { enforcer, client } = setup();
    expect(enforcer.controllerMutations(client, true).limited).to.equal(true);
    expect(enforcer.controllerMutations({ principal: 'User:ANONYMOUS', clientId: 'other' }, true).limited).to.equal(false);
  });

  it('permissive: every topic passes and earns the throttle time of the debt; a failed topic is given back', () => {
    const { enforcer, client } = setup();
    const q = enforcer.controllerMutations(client, false);
    expect(q.record(10)).to.equal(true);
    expect(q.record(4)).to.equal(true);
    expect(q.throttleTimeMs()).to.equal(4000); // debt 8 at 2/s
    q.unrecord(4);
    const after = enforcer.controllerMutations(client, false);
    after.record(0);
    expect(after.throttleTimeMs()).to.equal(2000); // debt 4 again
    // Without a quota nothing is throttled.
    const other = enforcer.controllerMutations({ principal: 'User:ANONYMOUS', clientId: 'other' }, true);
    expect(other.record(1000)).to.equal(true);
    expect(other.throttleTimeMs()).to.equal(0);
  });
});

describe('quota > QuotaConfigs (ZooKeeper copy)', () => {
  it('loads every entity in Kafka layout, follows one entity per change, ignores SCRAM keys and unreadable values', async () => {
    const zk = new FakeZooKeeper();
    const admin = zk.session();
    const put = async (path: string, config: Record<string, string>): Promise<void> => {
      await admin.mkdirp(path);
      await admin.setData(path, Buffer.from(JSON.stringify({ version: 1, config })));
    };
    await put('/config/users/alice', { producer_byte_rate: '1024', 'SCRAM-SHA-256': 'salt=x,stored_key=y,server_key=z,iterations=4096' });
    await put('/config/users/alice/clients/app', { consumer_byte_rate: '2048' });
    await put('/config/users/<default>', { request_percentage: '12.5' });
    await put('/config/clients/<default>', { producer_byte_rate: 'lots' });
    const configs = new QuotaConfigs(zk.session(), pino({ level: 'silent' }));
    await configs.reloadAll();
    expect(configs.lookup({ user: 'alice' })).to.deep.equal({ producer_byte_rate: 1024 });
    expect(configs.lookup({ user: 'alice', clientId: 'app' })).to.deep.equal({ consumer_byte_rate: 2048 });
    expect(configs.lookup({ user: D })).to.deep.equal({ request_percentage: 12.5 });
    expect(configs.lookup({ clientId: D })).to.equal(undefined);
    await put('/config/clients/app', { producer_byte_rate: '10' });
    await configs.onEntityChange('clients/app');
    expect(configs.lookup({ clientId: 'app' })).to.deep.equal({ producer_byte_rate: 10 });
    await put('/config/users/alice', {});
    await configs.onEntityChange('users/alice');
    expect(configs.lookup({ user: 'alice' })).to.equal(undefined);
    expect(configs.entries().map((e) => e.entity)).to.deep.include({ user: 'alice', clientId: 'app' });
  });
  it('a manager that remembers resolutions (QuotaConfigs as its changes) follows quotas added, changed and removed', async () => {
    const zk = new FakeZooKeeper();
    const admin = zk.session();
    const put = async (path: string, config: Record<string, string>): Promise<void> => {
      await admin.mkdirp(path);
      await admin.setData(path, Buffer.from(JSON.stringify({ version: 1, config })));
    };
    const configs = new QuotaConfigs(zk.session(), pino({ level: 'silent' }));
    await configs.reloadAll();
    const clock = new TestScheduler();
    const m = new ClientQuotaManager({ rate: { samples: 11, windowMs: 1000 }, clock, lookup: configs.lookup, changes: configs });
    const maxFetch = (): number => m.maxValueInQuotaWindow('consumer_byte_rate', 'User:alice', 'my app');
    expect(maxFetch()).to.equal(Number.POSITIVE_INFINITY);
    expect(maxFetch()).to.equal(Number.POSITIVE_INFINITY);
    await put('/config/clients/my%20app', { consumer_byte_rate: '100' });
    await configs.onEntityChange('clients/my%20app');
    expect(maxFetch()).to.equal(100 * 10);
    await put('/config/users/alice', { consumer_byte_rate: '7' });
    await configs.onEntityChange('users/alice');
    expect(maxFetch()).to.equal(7 * 10);
    expect(m.maxValueInQuotaWindow('consumer_byte_rate', 'User:bob', 'my app')).to.equal(100 * 10);
    await put('/config/users/alice', {});
    await configs.onEntityChange('users/alice');
    await put('/config/clients/my%20app', {});
    await configs.onEntityChange('clients/my%20app');
    expect(maxFetch()).to.equal(Number.POSITIVE_INFINITY);
    await put('/config/users/<default>', { consumer_byte_rate: '3' });
    await configs.reloadAll();
    expect(maxFetch()).to.equal(3 * 10);
  });

  it("sanitizes names as Kafka's Sanitizer: safe names as they are, others URL-encoded byte by byte", () => {
    expect(entityConfigPath({ user: 'app-1_x.Y', clientId: D })).to.equal(`users/app-1_x.Y/clients/${D}`);
    expect(entityConfigPath({ clientId: '' })).to.equal('clients/');
    expect(entityConfigPath({ clientId: 'my app*' })).to.equal('clients/my%20app%2A');
    expect(entityConfigPath({ user: 'CN=a/b' })).to.equal('users/CN%3Da%2Fb');
    expect(entityConfigPath({ user: 'é', clientId: 'x y' })).to.equal('users/%C3%A9/clients/x%20y');
  });
});

describe('quota > QuotaAdmin (KIP-546 against ZooKeeper)', () => {
  it('alters in Kafka layout keeping SCRAM keys, describes with exact/default/any and strict filters, refuses bad input', async () => {
    const { QuotaAdmin } = await import('../../../broker/quota/index.js');
    const { TopicAdmin } = await import('../../../broker/admin/index.js');
    const zk = new FakeZooKeeper();
    const admin = zk.session();
    const topicAdmin = new TopicAdmin(admin, { defaultPartitions: 1, defaultReplicationFactor: 1 });
    const quotas = new QuotaAdmin(admin, (type, name, config) => topicAdmin.changeEntityConfig(type, name, config));
    await admin.mkdirp('/config/users/alice');
    await admin.setData('/config/users/alice', Buffer.from(JSON.stringify({ version: 1, config: { 'SCRAM-SHA-256': 'cred' } })));
    await quotas.alter([{ entityType: 'user', entityName: 'alice' }], [{ key: 'producer_byte_rate', value: 1024, remove: false }], false);
    await quotas.alter([{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: null }], [{ key: 'request_percentage', value: 200, remove: false }], false);
    await quotas.alter([{ entityType: 'client-id', entityName: 'my app' }], [{ key: 'consumer_byte_rate', value: 10, remove: false }], false);
    expect(JSON.parse(zk.text('/config/users/alice')!)).to.deep.equal({ version: 1, config: { 'SCRAM-SHA-256': 'cred', producer_byte_rate: '1024' } });
    expect(JSON.parse(zk.text('/config/users/alice/clients/<default>')!).config).to.deep.equal({ request_percentage: '200.0' });
    expect(JSON.parse(zk.text('/config/clients/my%20app')!).config).to.deep.equal({ consumer_byte_rate: '10' });
    const changes = zk.paths('/config/changes').filter((p) => p !== '/config/changes').map((p) => JSON.parse(zk.text(p)!).entity_path);
    expect(changes).to.deep.equal(['users/alice', 'users/alice/clients/<default>', 'clients/my%20app']);

    const names = (r: Array<{ entity: QuotaEntity }>): string[] => r.map((x) => key(x.entity)).sort();
    expect(names(await quotas.describe([{ entityType: 'user', matchType: 0, match: 'alice' }], false))).to.deep.equal(['alice|-', `alice|${D}`]);
    expect(names(await quotas.describe([{ entityType: 'user', matchType: 0, match: 'alice' }], true))).to.deep.equal(['alice|-']);
    expect(names(await quotas.describe([{ entityType: 'client-id', matchType: 1, match: null }], false))).to.deep.equal([`alice|${D}`]);
    expect(names(await quotas.describe([{ entityType: 'client-id', matchType: 2, match: null }], true))).to.deep.equal(['-|my app']);
    expect(names(await quotas.describe([], false))).to.have.length(3);

    await quotas.alter([{ entityType: 'user', entityName: 'alice' }], [{ key: 'producer_byte_rate', value: 0, remove: true }], false);
    expect(JSON.parse(zk.text('/config/users/alice')!).config).to.deep.equal({ 'SCRAM-SHA-256': 'cred' });

    const refused = async (p: Promise<unknown>): Promise<string> => p.then(() => 'accepted', (err: { code: string }) => err.code);
    expect(await refused(quotas.alter([{ entityType: 'ip', entityName: 'x' }], [], false))).to.equal('BRK_QUOTA_INVALID_ENTITY');
    expect(await refused(quotas.alter([{ entityType: 'user', entityName: 'a' }, { entityType: 'user', entityName: 'b' }], [], false))).to.equal('BRK_QUOTA_INVALID_ENTITY');
    expect(await refused(quotas.alter([{ entityType: 'user', entityName: 'a' }], [{ key: 'bytes', value: 1, remove: false }], false))).to.equal('BRK_QUOTA_INVALID_KEY');
    expect(await refused(quotas.alter([{ entityType: 'user', entityName: 'a' }], [{ key: 'producer_byte_rate', value: -1, remove: false }], false))).to.equal('BRK_QUOTA_INVALID_VALUE');
    expect(await refused(quotas.describe([{ entityType: 'user', matchType: 0, match: null }], false))).to.equal('BRK_QUOTA_INVALID_ENTITY');
    await quotas.alter([{ entityType: 'user', entityName: 'bob' }], [{ key: 'producer_byte_rate', value: 5, remove: false }], true);
    expect(zk.text('/config/users/bob')).to.equal(undefined);
  });
});
