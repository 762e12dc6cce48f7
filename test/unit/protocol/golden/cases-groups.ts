/** Golden cases of the group membership apis: FindCoordinator … DeleteGroups. */
import { ApiKey } from '../../../../protocol/index.js';
import { apiCase } from './case.js';

const META = Buffer.from('00010000000100066f7264657273ffffffff', 'hex');
const ASSIGNMENT = Buffer.from('00010000000100066f72646572730000000100000002ffffffff', 'hex');
const NO_OPS = -2147483648;

export const groupCases = [
  apiCase({
    api: ApiKey.FindCoordinator,
    flexibleFrom: 3,
    request: {
      body: (v) => ({ key: 'billing', keyType: v >= 1 ? 1 : 0 }),
      bytes: (b, v, x) => {
        b.str(x.key);
        if (v >= 1) b.i8(x.keyType);
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 1 ? 5 : 0,
        errorCode: 15,
        errorMessage: v >= 1 ? 'loading' : null,
        nodeId: 2,
        host: 'b2.example',
        port: 9093,
      }),
      bytes: (b, v, x) => {
        if (v >= 1) b.i32(x.throttleTimeMs);
        b.i16(x.errorCode);
        if (v >= 1) b.nstr(x.errorMessage);
        b.i32(x.nodeId).str(x.host).i32(x.port).tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.JoinGroup,
    flexibleFrom: 6,
    request: {
      body: (v) => ({
        groupId: 'billing',
        sessionTimeoutMs: 45000,
        rebalanceTimeoutMs: v >= 1 ? 300000 : -1,
        memberId: 'm-1',
        groupInstanceId: v >= 5 ? 'host-7' : null,
        protocolType: 'consumer',
        protocols: [
          { name: 'range', metadata: META },
          { name: 'cooperative-sticky', metadata: Buffer.alloc(0) },
        ],
      }),
      bytes: (b, v, x) => {
        b.str(x.groupId).i32(x.sessionTimeoutMs);
        if (v >= 1) b.i32(x.rebalanceTimeoutMs);
        b.str(x.memberId);
        if (v >= 5) b.nstr(x.groupInstanceId);
        b.str(x.protocolType).arr(x.protocols, (b, p) => b.str(p.name).bytes(p.metadata).tags());
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 2 ? 3 : 0,
        errorCode: 0,
        generationId: 8,
        protocolType: v >= 7 ? 'consumer' : null,
        protocolName: 'range',
        leader: 'm-1',
        memberId: 'm-2',
        members: [
          { memberId: 'm-1', groupInstanceId: v >= 5 ? 'host-7' : null, metadata: META },
          { memberId: 'm-2', groupInstanceId: null, metadata: Buffer.alloc(0) },
        ],
      }),
      bytes: (b, v, x) => {
        if (v >= 2) b.i32(x.throttleTimeMs);
        b.i16(x.errorCode).i32(x.generationId);
        if (v >= 7) b.nstr(x.protocolType);
        b.nstr(x.protocolName).str(x.leader).str(x.memberId);
        b.arr(x.members, (b, m) => {
          b.str(m.memberId);
          if (v >= 5) b.nstr(m.groupInstanceId);
          b.bytes(m.metadata).tags();
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.Heartbeat,
    flexibleFrom: 4,
    request: {
      body: (v) => ({ groupId: 'billing', generationId: 8, memberId: 'm-1', groupInstanceId: v >= 3 ? 'host-7' : null }),
      bytes: (b, v, x) => {
        b.str(x.groupId).i32(x.generationId).str(x.memberId);
        if (v >= 3) b.nstr(x.groupInstanceId);
        b.tags();
      },
    },
    response: {
      body: (v) => ({ throttleTimeMs: v >= 1 ? 2 : 0, errorCode: 27 }),
      bytes: (b, v, x) => {
        if (v >= 1) b.i32(x.throttleTimeMs);
        b.i16(x.errorCode).tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.LeaveGroup,
    flexibleFrom: 4,
    request: {
      body: (v) => ({
        groupId: 'billing',
        memberId: v <= 2 ? 'm-1' : '',
        members:
          v >= 3
            ? [
                { memberId: 'm-1', groupInstanceId: 'host-7' },
                { memberId: 'm-2', groupInstanceId: null },
              ]
            : [],
      }),
      bytes: (b, v, x) => {
        b.str(x.groupId);
        if (v <= 2) b.str(x.memberId);
        if (v >= 3) b.arr(x.members, (b, m) => b.str(m.memberId).nstr(m.groupInstanceId).tags());
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 1 ? 4 : 0,
        errorCode: 0,
        members: v >= 3 ? [{ memberId: 'm-2', groupInstanceId: null, errorCode: 25 }] : [],
      }),
      bytes: (b, v, x) => {
        if (v >= 1) b.i32(x.throttleTimeMs);
        b.i16(x.errorCode);
        if (v >= 3) b.arr(x.members, (b, m) => b.str(m.memberId).nstr(m.groupInstanceId).i16(m.errorCode).tags());
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.SyncGroup,
    flexibleFrom: 4,
    request: {
      body: (v) => ({
        groupId: 'billing',
        generationId: 8,
        memberId: 'm-1',
        groupInstanceId: v >= 3 ? 'host-7' : null,
        protocolType: v >= 5 ? 'consumer' : null,
        protocolName: v >= 5 ? 'range' : null,
        assignments: [
          { memberId: 'm-1', assignment: ASSIGNMENT },
          { memberId: 'm-2', assignment: Buffer.alloc(0) },
        ],
      }),
      bytes: (b, v, x) => {
        b.str(x.groupId).i32(x.generationId).str(x.memberId);
        if (v >= 3) b.nstr(x.groupInstanceId);
        if (v >= 5) b.nstr(x.protocolType).nstr(x.protocolName);
        b.arr(x.assignments, (b, a) => b.str(a.memberId).bytes(a.assignment).tags());
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 1 ? 6 : 0,
        errorCode: 0,
        protocolType: v >= 5 ? 'consumer' : null,
        protocolName: v >= 5 ? 'range' : null,
        assignment: ASSIGNMENT,
      }),
      bytes: (b, v, x) => {
        if (v >= 1) b.i32(x.throttleTimeMs);
        b.i16(x.errorCode);
        if (v >= 5) b.nstr(x.protocolType).nstr(x.protocolName);
        b.bytes(x.assignment).tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.DescribeGroups,
    flexibleFrom: 5,
    request: {
      body: (v) => ({ groups: ['billing', 'audit'], includeAuthorizedOperations: v >= 3 }),
      bytes: (b, v, x) => {
        b.strs(x.groups);
        if (v >= 3) b.bool(x.includeAuthorizedOperations);
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 1 ? 1 : 0,
        groups: [
          {
            errorCode: 0,
            groupId: 'billing',
            groupState: 'Stable',
            protocolType: 'consumer',
            protocolData: 'range',
            members: [
              {
                memberId: 'm-1',
                groupInstanceId: v >= 4 ? 'host-7' : null,
                clientId: 'rdkafka',
                clientHost: '/127.0.0.1',
                memberMetadata: META,
                memberAssignment: ASSIGNMENT,
              },
            ],
            authorizedOperations: v >= 3 ? 0x3f8 : NO_OPS,
          },
        ],
      }),
      bytes: (b, v, x) => {
        if (v >= 1) b.i32(x.throttleTimeMs);
        b.arr(x.groups, (b, g) => {
          b.i16(g.errorCode).str(g.groupId).str(g.groupState).str(g.protocolType).str(g.protocolData);
          b.arr(g.members, (b, m) => {
            b.str(m.memberId);
            if (v >= 4) b.nstr(m.groupInstanceId);
            b.str(m.clientId).str(m.clientHost).bytes(m.memberMetadata).bytes(m.memberAssignment).tags();
          });
          if (v >= 3) b.i32(g.authorizedOperations);
          b.tags();
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.ListGroups,
    flexibleFrom: 3,
    request: {
      body: (v) => ({ statesFilter: v >= 4 ? ['Stable', 'Empty'] : [] }),
      bytes: (b, v, x) => {
        if (v >= 4) b.strs(x.statesFilter);
        b.tags();
      },
    },
    response: {
      body: (v) => ({
        throttleTimeMs: v >= 1 ? 3 : 0,
        errorCode: 0,
        groups: [
          { groupId: 'billing', protocolType: 'consumer', groupState: v >= 4 ? 'Stable' : '' },
          { groupId: 'connect', protocolType: '', groupState: v >= 4 ? 'Empty' : '' },
        ],
      }),
      bytes: (b, v, x) => {
        if (v >= 1) b.i32(x.throttleTimeMs);
        b.i16(x.errorCode).arr(x.groups, (b, g) => {
          b.str(g.groupId).str(g.protocolType);
          if (v >= 4) b.str(g.groupState);
          b.tags();
        });
        b.tags();
      },
    },
  }),

  apiCase({
    api: ApiKey.DeleteGroups,
    flexibleFrom: 2,
    request: {
      body: () => ({ groupsNames: ['billing', 'audit'] }),
      bytes: (b, _v, x) => b.strs(x.groupsNames).tags(),
    },
    response: {
      body: () => ({
        throttleTimeMs: 7,
        results: [
          { groupId: 'billing', errorCode: 0 },
          { groupId: 'audit', errorCode: 69 },
        ],
      }),
      bytes: (b, _v, x) => b.i32(x.throttleTimeMs).arr(x.results, (b, r) => b.str(r.groupId).i16(r.errorCode).tags()).tags(),
    },
  }),
];
