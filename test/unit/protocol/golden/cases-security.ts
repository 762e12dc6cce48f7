/** Golden cases of security apis: SASL, ACLs, SCRAM credentials. */
import { ApiKey } from '../../../../protocol/index.js';
import { apiCase } from './case.js';

const CLIENT_FIRST = Buffer.from('n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL', 'utf8');

export const securityCases = [
  apiCase({
    api: ApiKey.SaslHandshake,
    flexibleFrom: Infinity,
    request: {
      body: () => ({ mechanism: 'SCRAM-SHA-256' }),
      bytes: (b, _v, x) => b.str(x.mechanism),
    },
    response: {
      body: () => ({ errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-512'] }),
      bytes: (b, _v, x) => b.i16(x.errorCode).strs(x.mechanisms),
    },
  }),

  apiCase({
    api: ApiKey.SaslAuthenticate,
    flexibleFrom: 2,
    request: {
      body: () => ({ authBytes: CLIENT_FIRST }),
      bytes: (b, _v, x) => b.bytes(x.authBytes).tags(),
    },
    response: {
      body: (v) => ({ errorCode: 58, errorMessage: 'bad password', authBytes: Buffer.from('e=invalid-proof'), sessionLifetimeMs: v >= 1 ? 3600000n : 0n }),
      bytes: (b, v, x) => {
        b.i16(x.errorCode).nstr(x.errorMessage).bytes(x.authBytes);
        if (v >= 1) b.i64(x.sessionLifetimeMs);
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.CreateAcls,
    flexibleFrom: 2,
    request: {
      body: (v) => ({
        creations: [
          {
            resourceType: 2,
            resourceName: 'orders-',
            resourcePatternType: v >= 1 ? 4 : 3,
            principal: 'User:alice',
            host: '*',
            operation: 3,
            permissionType: 3,
          },
        ],
      }),
      bytes: (b, v, x) =>
        b
          .arr(x.creations, (b, c) => {
            b.i8(c.resourceType).str(c.resourceName);
            if (v >= 1) b.i8(c.resourcePatternType);
            b.str(c.principal).str(c.host).i8(c.operation).i8(c.permissionType).tags();
          })
          .tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 1,
        results: [
          { errorCode: 0, errorMessage: null },
          { errorCode: 31, errorMessage: 'no authorizer' },
        ],
      }),
      bytes: (b, _v, x) => b.i32(x.throttleTimeMs).arr(x.results, (b, r) => b.i16(r.errorCode).nstr(r.errorMessage).tags()).tags(),
    },
  }),

  apiCase({
    api: ApiKey.DescribeAcls,
    flexibleFrom: 2,
    request: {
      body: (v) => ({
        resourceTypeFilter: 2,
        resourceNameFilter: 'orders',
        patternTypeFilter: v >= 1 ? 1 : 3,
        principalFilter: null,
        hostFilter: '10.0.0.1',
        operation: 1,
        permissionType: 1,
      }),
      bytes: (b, v, x) => {
        b.i8(x.resourceTypeFilter).nstr(x.resourceNameFilter);
        if (v >= 1) b.i8(x.patternTypeFilter);
        b.nstr(x.principalFilter).nstr(x.hostFilter).i8(x.operation).i8(x.permissionType).tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: 2,
        errorCode: 0,
        errorMessage: null,
        resources: [
          {
            resourceType: 2,
            resourceName: 'orders',
            patternType: 3,
            acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
          },
          { resourceType: 3, resourceName: 'billing-', patternType: v >= 1 ? 4 : 3, acls: [] },
        ],
      }),
      bytes: (b, v, x) => {
        b.i32(x.throttleTimeMs).i16(x.errorCode).nstr(x.errorMessage);
        b.arr(x.resources, (b, r) => {
          b.i8(r.resourceType).str(r.resourceName);
          if (v >= 1) b.i8(r.patternType);
          b.arr(r.acls, (b, a) => b.str(a.principal).str(a.host).i8(a.operation).i8(a.permissionType).tags()).tags();
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.DeleteAcls,
    flexibleFrom: 2,
    request: {
      body: (v) => ({
        filters: [
          {
            resourceTypeFilter: 1,
            resourceNameFilter: null,
            patternTypeFilter: v >= 1 ? 2 : 3,
            principalFilter: 'User:bob',
            hostFilter: null,
            operation: 1,
            permissionType: 2,
          },
        ],
      }),
      bytes: (b, v, x) =>
        b
          .arr(x.filters, (b, f) => {
            b.i8(f.resourceTypeFilter).nstr(f.resourceNameFilter);
            if (v >= 1) b.i8(f.patternTypeFilter);
            b.nstr(f.principalFilter).nstr(f.hostFilter).i8(f.operation).i8(f.permissionType).tags();
          })
          .tags(),
    },
    response: {
      body: (v) => ({
        throttleTimeMs: 0,
        filterResults: [
          {
            errorCode: 0,
            errorMessage: null,
            matchingAcls: [
              {
                errorCode: 0,
                errorMessage: null,
                resourceType: 2,
                resourceName: 'orders',
                patternType: v >= 1 ? 4 : 3,
                principal: 'User:bob',
                host: '*',
                operation: 4,
                permissionType: 2,
              },
            ],
          },
          { errorCode: 87, errorMessage: 'invalid filter', matchingAcls: [] },
        ],
      }),
      bytes: (b, v, x) => {
        b.i32(x.throttleTimeMs);
        b.arr(x.filterResults, (b, f) => {
          b.i16(f.errorCode).nstr(f.errorMessage);
          b.arr(f.matchingAcls, (b, a) => {
            b.i16(a.errorCode).nstr(a.errorMessage).i8(a.resourceType).str(a.resourceName);
            if (v >= 1) b.i8(a.patternType);
            b.str(a.principal).str(a.host).i8(a.operation).i8(a.permissionType).tags();
          });
          b.tags();
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.DescribeUserScramCredentials,
    flexibleFrom: 0,
    request: {
      body: () => ({ users: [{ name: 'alice' }, { name: 'bob' }] }),
      bytes: (b, _v, x) => b.narr(x.users, (b, u) => b.str(u.name).tags()).tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        results: [
          { user: 'alice', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 8192 }] },
          { user: 'bob', errorCode: 91, errorMessage: 'no credentials', credentialInfos: [] },
        ],
      }),
      bytes: (b, _v, x) => {
        b.i32(x.throttleTimeMs).i16(x.errorCode).nstr(x.errorMessage);
        b.arr(x.results, (b, r) => {
          b.str(r.user).i16(r.errorCode).nstr(r.errorMessage);
          b.arr(r.credentialInfos, (b, c) => b.i8(c.mechanism).i32(c.iterations).tags()).tags();
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.AlterUserScramCredentials,
    flexibleFrom: 0,
    request: {
      body: () => ({
        deletions: [{ name: 'carol', mechanism: 2 }],
        upsertions: [{ name: 'alice', mechanism: 1, iterations: 8192, salt: Buffer.from('c2FsdA==', 'base64'), saltedPassword: Buffer.alloc(32, 7) }],
      }),
      bytes: (b, _v, x) => {
        b.arr(x.deletions, (b, d) => b.str(d.name).i8(d.mechanism).tags());
        b.arr(x.upsertions, (b, u) => b.str(u.name).i8(u.mechanism).i32(u.iterations).bytes(u.salt).bytes(u.saltedPassword).tags());
        b.tags();
      },
    },
    response: {
      body: () => ({
        throttleTimeMs: 0,
        results: [
          { user: 'alice', errorCode: 0, errorMessage: null },
          { user: 'carol', errorCode: 91, errorMessage: 'no such credential' },
        ],
      }),
      bytes: (b, _v, x) => b.i32(x.throttleTimeMs).arr(x.results, (b, r) => b.str(r.user).i16(r.errorCode).nstr(r.errorMessage).tags()).tags(),
    },
  }),
];
