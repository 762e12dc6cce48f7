/**
 * Config resources of AlterConfigs and IncrementalAlterConfigs: the BROKER resource as Kafka's
 * ZkAdminManager.getBrokerId reads it ("" is the cluster-wide default entity
 * `/config/brokers/<default>`; any other name must be this broker's own id, clients send
 * per-broker changes to that broker, else INVALID_REQUEST), and the one answer per resource both
 * APIs give.
 */
import { messageOf } from '../../common/index.js';
import { DEFAULT_CONFIG_ENTITY } from '../../coordination/index.js';
import { ErrorCode } from '../../protocol/index.js';
import { BrokerError, toWireError } from '../errors.js';

interface ConfigResource {
  readonly resourceType: number;
  readonly resourceName: string;
}

export interface ConfigResourceResult extends ConfigResource {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/** Runs `alter` for every resource at once; each answers NONE, or its own error's code and message. */
export function alterEachResource<R extends ConfigResource>(resources: readonly R[], alter: (r: R) => Promise<void>): Promise<ConfigResourceResult[]> {
  return Promise.all(
    resources.map(async (r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      try {
        await alter(r);
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
      } catch (err) {
        return { ...base, errorCode: toWireError(err), errorMessage: messageOf(err) };
      }
    }),
  );
}

/** Every resource answered with `errorCode` (the handler failed as a whole). */
export function eachResourceFailed(resources: readonly ConfigResource[], errorCode: number): ConfigResourceResult[] {
  return resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName }));
}

export function brokerConfigEntity(resourceName: string, brokerId: number): string {
  if (resourceName === '') return DEFAULT_CONFIG_ENTITY;
  if (!/^-?\d+$/.test(resourceName)) throw new BrokerError('BRK_INVALID_REQUEST', `Broker id must be an integer, but it is: ${resourceName}`);
  if (Number(resourceName) !== brokerId) throw new BrokerError('BRK_INVALID_REQUEST', `Unexpected broker id, expected ${brokerId}, but received ${resourceName}`);
  return resourceName;
}
