/** The compat suites, by the name given to `npm run compat -- <suite>`. */
import type { CompatSuite } from '../suite.js';
import { kafkaPythonSuite } from './kafka-python.js';
import { kcatSuite } from './kcat.js';
import { librdkafkaSuite } from './librdkafka.js';

export const SUITES: readonly CompatSuite<unknown>[] = [librdkafkaSuite, kcatSuite, kafkaPythonSuite] as CompatSuite<unknown>[];

export function findSuite(name: string): CompatSuite<unknown> | undefined {
  return SUITES.find((s) => s.name === name);
}
