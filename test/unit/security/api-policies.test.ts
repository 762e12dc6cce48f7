import { expect } from 'chai';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadBrokerConfig } from '../../../broker/index.js';
import { kafkaApiHandlers, type KafkaApiDeps } from '../../../broker/handlers/index.js';
import { AclCache, API_POLICIES, AclOperation as Op, AclPermission, OPEN_APIS, PatternType, RequestAuthorizer, ResourceType as Res, type AclAuthorizer } from '../../../broker/security/index.js';
import type { RequestContext } from '../../../broker/request-context.js';
import { ApiKey, ErrorCode } from '../../../protocol/index.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';

/** An AclAuthorizer stand-in over a real AclCache (the decision is the cache's; ZooKeeper is not involved). */
function authorizerOver(cache: AclCache): AclAuthorizer {
  return {
    isSuperUser: (p: string) => cache.isSuperUser(p),
    authorize: cache.authorize.bind(cache),
    authorizeByResourceType: cache.authorizeByResourceType.bind(cache),
  } as unknown as AclAuthorizer;
}

const ctx = (apiKey: number, principal = 'User:alice', apiVersion = 9): RequestContext => ({
  connectionId: 'c', listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', clientAddress: '::ffff:127.0.0.1', clientPort: 1, principal,
  signal: new AbortController().signal, apiKey, apiVersion, correlationId: 1, clientId: null, receivedAtMs: 0,
});

describe('security > per-API authorization policies', () => {
  const cache = new AclCache({ superUsers: new Set(['User:admin']), allowEveryoneIfNoAclFound: false });
  cache.set({ resourceType: Res.TOPIC, name: 'ok', patternType: PatternType.LITERAL }, [{ principal: 'User:alice', host: '127.0.0.1', operation: Op.WRITE, permission: AclPermission.ALLOW }]);
  cache.set({ resourceType: Res.TOPIC, name: 'pub-', patternType: PatternType.PREFIXED }, [{ principal: 'User:*', host: '*', operation: Op.DESCRIBE, permission: AclPermission.ALLOW }]);
  const authz = new RequestAuthorizer({ acls: authorizerOver(cache), topicExists: (t) => t !== 'missing', autoCreateTopics: true });

  it('every Kafka API the broker serves has a policy (or is one a client needs before it has an identity)', () => {
    const deps = {
      brokerId: 1,
      config: loadBrokerConfig({ file: join(REPO_ROOT, 'config', 'server-1.properties') }),
      logger: pino({ level: 'silent' }),
      groups: { logger: pino({ level: 'silent' }) },
      producerIds: {},
      transactions: { logger: pino({ level: 'silent' }) },
    } as unknown as KafkaApiDeps;
    const unchecked = kafkaApiHandlers(deps).map((h) => h.apiKey).filter((k) => !API_POLICIES.has(k) && !OPEN_APIS.has(k));
    expect(unchecked).to.deep.equal([]);
    expect(authz.authorizeRequest(ctx(9999), {})).to.equal('DENIED');
  });

  it('Produce: the handler sees only writable topics; the others answer TOPIC_AUTHORIZATION_FAILED', () => {
    const request = { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'ok', partitionData: [{ index: 0, records: null }] }, { name: 'secret', partitionData: [{ index: 0, records: null }, { index: 1, records: null }] }] };
    const v = authz.authorizeRequest(ctx(ApiKey.Produce), request);
    if (typeof v !== 'object' || v.kind !== 'narrow') throw new Error(`expected narrow, got ${JSON.stringify(v)}`);
    expect((v.request as typeof request).topicData.map((t) => t.name)).to.deep.equal(['ok']);
    const out = v.complete({ throttleTimeMs: 0, responses: [{ name: 'ok', partitionResponses: [{ index: 0, errorCode: 0 }] }] }) as { responses: { name: string; partitionResponses: { errorCode: number }[] }[] };
    expect(out.responses.map((r) => [r.name, r.partitionResponses.map((p) => p.errorCode)])).to.deep.equal([['ok', [0]], ['secret', [ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.TOPIC_AUTHORIZATION_FAILED]]]);
    expect(authz.authorizeRequest(ctx(ApiKey.Produce, 'User:admin'), request)).to.equal('ALLOWED');
    expect(authz.authorizeRequest(ctx(ApiKey.Produce), { ...request, transactionalId: 'tx' })).to.deep.equal({ kind: 'deny', errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED });
  });

  it('Metadata for all topics hides what may not be described; named ones are refused; auto-creation needs Create', () => {
    const all = authz.authorizeRequest(ctx(ApiKey.Metadata), { topics: null, allowAutoTopicCreation: true, includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: false });
    if (typeof all !== 'object' || all.kind !== 'narrow') throw new Error('expected narrow');
    const listed = all.complete({ topics: [{ name: 'ok', errorCode: 0 }, { name: 'secret', errorCode: 0 }, { name: 'pub-x', errorCode: 0 }] }) as { topics: { name: string; topicAuthorizedOperations: number }[] };
    expect(listed.topics.map((t) => t.name)).to.deep.equal(['ok', 'pub-x']);
    expect(listed.topics[0]!.topicAuthorizedOperations).to.equal((1 << Op.WRITE) | (1 << Op.DESCRIBE));
    const named = authz.authorizeRequest(ctx(ApiKey.Metadata), { topics: [{ name: 'secret' }, { name: 'pub-new' }, { name: 'pub-x' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
    if (typeof named !== 'object' || named.kind !== 'narrow') throw new Error('expected narrow');
    // pub-new does not exist ('missing' is the only unknown topic here), so only secret is refused.
    expect((named.request as { topics: { name: string }[] }).topics.map((t) => t.name)).to.deep.equal(['pub-new', 'pub-x']);
    const creating = authz.authorizeRequest(ctx(ApiKey.Metadata), { topics: [{ name: 'missing' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
    if (typeof creating !== 'object' || creating.kind !== 'narrow') throw new Error('expected narrow');
    expect((creating.request as { topics: unknown[] }).topics).to.deep.equal([]);
    const answered = creating.complete({ topics: [] }) as { topics: { name: string; errorCode: number }[] };
    expect(answered.topics.map((t) => [t.name, t.errorCode])).to.deep.equal([['missing', ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
    // A topic by id alone (v10+): the handler refuses the whole request as INVALID_REQUEST (Kafka 2.8 does so before authorizing).
    expect(authz.authorizeRequest(ctx(ApiKey.Metadata), { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: null }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).to.equal('ALLOWED');
  });

  it('group, transactional id and cluster refusals answer their own error codes', () => {
    expect(authz.authorizeRequest(ctx(ApiKey.JoinGroup), { groupId: 'g' })).to.deep.equal({ kind: 'deny', errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
    expect(authz.authorizeRequest(ctx(ApiKey.EndTxn), { transactionalId: 't' })).to.deep.equal({ kind: 'deny', errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED });
    expect(authz.authorizeRequest(ctx(ApiKey.CreateAcls), { creations: [] })).to.deep.equal({ kind: 'deny', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
    // Idempotent producer: Write on some topic is enough (KIP-679).
    expect(authz.authorizeRequest(ctx(ApiKey.InitProducerId), { transactionalId: null })).to.equal('ALLOWED');
    expect(authz.authorizeRequest(ctx(ApiKey.InitProducerId, 'User:bob'), { transactionalId: null })).to.deep.equal({ kind: 'deny', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
    expect(authz.authorizeRequest(ctx(ApiKey.ApiVersions, 'User:bob'), {})).to.equal('ALLOWED');
  });
});
