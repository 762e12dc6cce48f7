/**
 * AlterUserScramCredentials (key 51, KIP-554): upserts (salted on the client: salt, iterations,
 * saltedPassword) and deletions, one result per user. Kafka's checks: an empty user name or
 * iterations outside 4096..16384 are UNACCEPTABLE_CREDENTIAL, an unknown mechanism
 * UNSUPPORTED_SASL_MECHANISM, the same user+mechanism twice DUPLICATE_RESOURCE, deleting a
 * credential that does not exist RESOURCE_NOT_FOUND. A user's valid changes are written in one
 * `/config/users/<user>` update plus one `/config/changes` notification: every broker's
 * credential cache follows without restart.
 */
import {
  ApiKey,
  credentialFromSaltedPassword,
  ErrorCode,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  scramMechanismOfType,
  type ScramMechanism,
} from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { ScramUpsert, UserScramAdmin } from '../security/scram-credentials.js';

type Failure = { errorCode: number; errorMessage: string };

export function createAlterUserScramCredentialsHandler(deps: { readonly userScram: () => UserScramAdmin }): ApiHandler<typeof ApiKey.AlterUserScramCredentials> {
  return {
    apiKey: ApiKey.AlterUserScramCredentials,
    minVersion: 0,
    maxVersion: 0,
    handle: async (_ctx, request) => {
      const failures = new Map<string, Failure>();
      const fail = (user: string, errorCode: number, errorMessage: string): void => {
        if (!failures.has(user)) failures.set(user, { errorCode, errorMessage });
      };
      const seen = new Set<string>();
      const deletions = new Map<string, ScramMechanism[]>();
      const upserts = new Map<string, ScramUpsert[]>();
      const users: string[] = [];
      const check = (user: string, type: number): ScramMechanism | undefined => {
        if (!users.includes(user)) users.push(user);
        if (user === '') {
          fail(user, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
          return undefined;
        }
        const m = scramMechanismOfType(type);
        if (m === undefined) {
          fail(user, ErrorCode.UNSUPPORTED_SASL_MECHANISM, `Unknown SCRAM mechanism type ${type}`);
          return undefined;
        }
        const key = `${user}\u0000${m}`;
        if (seen.has(key)) {
          fail(user, ErrorCode.DUPLICATE_RESOURCE, `A user credential cannot be altered twice in the same request: ${user} ${m}`);
          return undefined;
        }
        seen.add(key);
        return m;
      };
      for (const d of request.deletions) {
        const m = check(d.name, d.mechanism);
        if (m !== undefined) deletions.set(d.name, [...(deletions.get(d.name) ?? []), m]);
      }
      for (const u of request.upsertions) {
        const m = check(u.name, u.mechanism);
        if (m === undefined) continue;
        if (u.iterations < SCRAM_MIN_ITERATIONS) fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, `Too few iterations: ${u.iterations} (at least ${SCRAM_MIN_ITERATIONS})`);
        else if (u.iterations > SCRAM_MAX_ITERATIONS) fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, `Too many iterations: ${u.iterations} (at most ${SCRAM_MAX_ITERATIONS})`);
        else if (u.salt.length === 0 || u.saltedPassword.length === 0) fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salt and salted password must not be empty');
        else {
          const credential = credentialFromSaltedPassword(m, Buffer.from(u.saltedPassword), Buffer.from(u.salt), u.iterations);
          upserts.set(u.name, [...(upserts.get(u.name) ?? []), { user: u.name, mechanism: m, credential }]);
        }
      }
      const admin = deps.userScram();
      for (const [user, mechanisms] of deletions) {
        if (failures.has(user)) continue;
        for (const m of mechanisms) {
          if (!(await admin.hasCredential(user, m))) fail(user, ErrorCode.RESOURCE_NOT_FOUND, `Attempt to delete a user credential that does not exist: ${user} ${m}`);
        }
      }
      const results = [];
      for (const user of users) {
        const failure = failures.get(user);
        if (failure === undefined) await admin.alterUser(user, deletions.get(user) ?? [], upserts.get(user) ?? []);
        results.push({ user, errorCode: failure?.errorCode ?? ErrorCode.NONE, errorMessage: failure?.errorMessage ?? null });
      }
      return { throttleTimeMs: 0, results };
    },
    errorResponse: (_ctx, request, errorCode) => ({
      throttleTimeMs: 0,
      results: [...new Set([...request.deletions, ...request.upsertions].map((x) => x.name))].map((user) => ({ user, errorCode, errorMessage: null })),
    }),
  };
}
