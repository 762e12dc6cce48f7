/**
 * SCRAM credentials (KIP-554): describe (mechanisms and iterations, never keys) and alter
 * (upsert with the password salted here, as Kafka's admin client: only salt, iterations and
 * SaltedPassword travel; delete by mechanism).
 */
import { randomBytes } from 'node:crypto';
import {
  SCRAM_MECHANISM_TYPE,
  saltedPassword,
  scramMechanismOfType,
  type ScramMechanism,
  type AlterUserScramCredentialsResponse,
  type DescribeUserScramCredentialsResponse,
} from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import { brokerError } from '../errors.js';
import { API, errorInfo } from '../wire.js';

export interface ScramCredentialInfo {
  mechanism: ScramMechanism;
  iterations: number;
}

export type ScramCredentialAlteration =
  | { user: string; mechanism: ScramMechanism; iterations: number; password: string }
  | { user: string; mechanism: ScramMechanism; delete: true };

/** Users → their credentials; `users` omitted = every user with a credential. A named user without one fails (RESOURCE_NOT_FOUND). */
export async function describeUserScramCredentials(cluster: Cluster, users?: readonly string[]): Promise<Map<string, ScramCredentialInfo[]>> {
  const res = await cluster.withAnyBroker((c) =>
    c.send<DescribeUserScramCredentialsResponse>(API.DescribeUserScramCredentials, { users: users === undefined ? null : users.map((name) => ({ name })) }),
  );
  if (res.errorCode !== 0) throw brokerError(errorInfo(res.errorCode), `describe SCRAM credentials: ${res.errorMessage ?? ''}`);
  const out = new Map<string, ScramCredentialInfo[]>();
  for (const r of res.results) {
    if (r.errorCode !== 0) throw brokerError(errorInfo(r.errorCode), `describe SCRAM credentials of ${r.user}: ${r.errorMessage ?? ''}`);
    out.set(r.user, r.credentialInfos.flatMap((i) => {
      const mechanism = scramMechanismOfType(i.mechanism);
      return mechanism === undefined ? [] : [{ mechanism, iterations: i.iterations }];
    }));
  }
  return out;
}

/** Applies the alterations; throws the first user's error (the others may have been applied). */
export async function alterUserScramCredentials(cluster: Cluster, alterations: readonly ScramCredentialAlteration[]): Promise<void> {
  const deletions = alterations.filter((a): a is Extract<ScramCredentialAlteration, { delete: true }> => 'delete' in a).map((a) => ({ name: a.user, mechanism: SCRAM_MECHANISM_TYPE[a.mechanism] }));
  const upsertions = alterations
    .filter((a): a is Extract<ScramCredentialAlteration, { password: string }> => 'password' in a)
    .map((a) => {
      const salt = randomBytes(32);
      return { name: a.user, mechanism: SCRAM_MECHANISM_TYPE[a.mechanism], iterations: a.iterations, salt, saltedPassword: saltedPassword(a.mechanism, a.password, salt, a.iterations) };
    });
  const res = await cluster.withAnyBroker((c) => c.send<AlterUserScramCredentialsResponse>(API.AlterUserScramCredentials, { deletions, upsertions }));
  for (const r of res.results) {
    if (r.errorCode !== 0) throw brokerError(errorInfo(r.errorCode), `alter SCRAM credentials of ${r.user}: ${r.errorMessage ?? ''}`);
  }
}
