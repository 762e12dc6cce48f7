/**
 * The BROKER config resource as Kafka's ZkAdminManager.getBrokerId reads it: "" is the
 * cluster-wide default entity (`/config/brokers/<default>`); any other name must be this broker's
 * own id (clients send per-broker changes to that broker), else INVALID_REQUEST.
 */
import { DEFAULT_CONFIG_ENTITY } from '../../coordination/index.js';
import { BrokerError } from '../errors.js';

export function brokerConfigEntity(resourceName: string, brokerId: number): string {
  if (resourceName === '') return DEFAULT_CONFIG_ENTITY;
  if (!/^-?\d+$/.test(resourceName)) throw new BrokerError('BRK_INVALID_REQUEST', `Broker id must be an integer, but it is: ${resourceName}`);
  if (Number(resourceName) !== brokerId) throw new BrokerError('BRK_INVALID_REQUEST', `Unexpected broker id, expected ${brokerId}, but received ${resourceName}`);
  return resourceName;
}
