/**
 * DescribeUserScramCredentials (key 50, KIP-554): the SCRAM mechanisms and iterations of users
 * (all users with credentials when `users` is null or empty), never salts or keys. A named user
 * without credentials is RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE, as Kafka.
 */
import { ApiKey, ErrorCode, SCRAM_MECHANISM_TYPE } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { UserScramAdmin } from '../security/scram-credentials.js';

export function createDescribeUserScramCredentialsHandler(deps: { readonly userScram: () => UserScramAdmin }): ApiHandler<typeof ApiKey.DescribeUserScramCredentials> {
  return {
    apiKey: ApiKey.DescribeUserScramCredentials,
    minVersion: 0,
    maxVersion: 0,
    handle: async (_ctx, request) => {
      const names = request.users?.map((u) => u.name) ?? null;
      const duplicates = new Set((names ?? []).filter((n, i, all) => all.indexOf(n) !== i));
      const wanted = names === null || names.length === 0 ? null : [...new Set(names)].filter((n) => !duplicates.has(n));
      const found = await deps.userScram().describe(wanted);
      const results = [];
      for (const user of duplicates) {
        results.push({ user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] });
      }
      for (const user of wanted ?? [...found.keys()].sort()) {
        const infos = found.get(user);
        results.push(
          infos === undefined
            ? { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] }
            : { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos.map((i) => ({ mechanism: SCRAM_MECHANISM_TYPE[i.mechanism], iterations: i.iterations })) },
        );
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, results: [] }),
  };
}
