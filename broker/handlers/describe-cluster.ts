/**
 * DescribeCluster (key 60, KIP-700): the live brokers on the client's listener, the controller
 * and the cluster id, from the metadata cache (as Metadata, without topics). Authorized
 * operations are only computed when asked; with the allow-all authorizer Kafka reports every
 * operation the CLUSTER resource supports.
 */
import { ApiKey, ErrorCode } from '../../protocol/index.js';
import type { ApiHandler } from '../request-context.js';
import type { HandlerDeps } from './deps.js';

const INT32_MIN = -2147483648;

/** CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12. */
export const CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);

export function createDescribeClusterHandler(deps: Pick<HandlerDeps, 'metadataCache' | 'clusterId'>): ApiHandler<typeof ApiKey.DescribeCluster> {
  return {
    apiKey: ApiKey.DescribeCluster,
    minVersion: 0,
    maxVersion: 0,
    async handle(ctx, request) {
      const cache = deps.metadataCache;
      const brokers = cache.aliveBrokers().flatMap((b) => {
        const ep = b.endpoints.get(ctx.listenerName);
        return ep === undefined ? [] : [{ brokerId: b.id, host: ep.host, port: ep.port, rack: b.rack }];
      });
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        clusterId: deps.clusterId() ?? '',
        controllerId: cache.controllerId,
        brokers,
        clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : INT32_MIN,
      };
    },
  };
}
