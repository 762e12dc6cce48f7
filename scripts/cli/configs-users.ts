/**
 * configs.sh --entity-type users: SCRAM credentials through Describe/AlterUserScramCredentials
 * (KIP-554), Kafka's syntax:
 *   --alter --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'
 *   --alter --delete-config 'SCRAM-SHA-512'
 *   --describe  (one user, or every user with credentials without --entity-name)
 * The password is salted in this process; only salt, iterations and the salted password travel.
 */
import type { Admin, ScramCredentialAlteration } from '../../client/index.js';
import { isScramMechanism, SCRAM_MIN_ITERATIONS } from '../../protocol/index.js';
import { keyValues, UsageError, type ParsedArgs } from './args.js';
import { out } from './common.js';

export async function describeUsers(admin: Admin, user: string | undefined): Promise<number> {
  const found = await admin.describeUserScramCredentials(user === undefined ? undefined : [user]);
  for (const [name, infos] of [...found].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out(`SCRAM credential configs for user-principal '${name}' are ${infos.map((i) => `${i.mechanism}=iterations=${i.iterations}`).join(', ')}`);
  }
  return 0;
}

export async function alterUser(admin: Admin, user: string, args: ParsedArgs): Promise<number> {
  const add = keyValues(args.all('add-config'), '--add-config', true);
  const del = args.all('delete-config').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (Object.keys(add).length === 0 && del.length === 0) throw new UsageError('--alter needs --add-config or --delete-config');
  const alterations: ScramCredentialAlteration[] = [];
  for (const [mechanism, value] of Object.entries(add)) {
    if (!isScramMechanism(mechanism)) throw new UsageError(`--add-config for users takes SCRAM-SHA-256 or SCRAM-SHA-512, got "${mechanism}" (quotas are not supported)`);
    const fields = new Map<string, string>();
    for (const part of value.split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`${mechanism} wants [iterations=N,password=…], got "${value}"`);
      fields.set(part.slice(0, eq).trim(), part.slice(eq + 1));
    }
    const password = fields.get('password');
    if (password === undefined || password === '') throw new UsageError(`${mechanism} needs password=… (e.g. ${mechanism}=[iterations=8192,password=secret])`);
    const iterationsText = fields.get('iterations') ?? String(SCRAM_MIN_ITERATIONS);
    if (!/^\d+$/.test(iterationsText)) throw new UsageError(`${mechanism}: iterations must be a number, got "${iterationsText}"`);
    alterations.push({ user, mechanism, iterations: Number(iterationsText), password });
  }
  for (const mechanism of del) {
    if (!isScramMechanism(mechanism)) throw new UsageError(`--delete-config for users takes SCRAM-SHA-256 or SCRAM-SHA-512, got "${mechanism}"`);
    alterations.push({ user, mechanism, delete: true });
  }
  await admin.alterUserScramCredentials(alterations);
  out(`Completed updating config for user ${user}.`);
  return 0;
}
