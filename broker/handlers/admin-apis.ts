/**
 * The cluster-admin Kafka APIs of Kafka 2.8 beyond topic administration (DescribeCluster,
 * ElectLeaders, Alter/ListPartitionReassignments, DescribeLogDirs, DescribeProducers,
 * UpdateFeatures) as one bundle the composition root registers. The controller APIs reach the
 * Controller through a getter: it starts after the handlers are registered, and on a broker that
 * is not the active controller they answer NOT_CONTROLLER.
 */
import type { Controller } from '../controller/index.js';
import type { KafkaHandler } from '../request-context.js';
import { createAlterPartitionReassignmentsHandler } from './alter-partition-reassignments.js';
import type { HandlerDeps } from './deps.js';
import { createDescribeClusterHandler } from './describe-cluster.js';
import { createDescribeLogDirsHandler } from './describe-log-dirs.js';
import { createDescribeProducersHandler } from './describe-producers.js';
import { createElectLeadersHandler } from './elect-leaders.js';
import { createListPartitionReassignmentsHandler } from './list-partition-reassignments.js';
import { createUpdateFeaturesHandler } from './update-features.js';

export interface AdminApiDeps extends HandlerDeps {
  readonly controller: () => Controller | undefined;
}

export function adminApiHandlers(deps: AdminApiDeps): KafkaHandler[] {
  return [
    createDescribeClusterHandler(deps),
    createElectLeadersHandler(deps),
    createAlterPartitionReassignmentsHandler(deps),
    createListPartitionReassignmentsHandler(deps),
    createDescribeLogDirsHandler(deps),
    createDescribeProducersHandler(deps),
    createUpdateFeaturesHandler(deps),
  ];
}
