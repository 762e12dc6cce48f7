/**
 * What the mirror's /health means: a flow is healthy only when it runs and every task is
 * replicating (fetch positions and target leaders known), as a Kafka Connect task is RUNNING only
 * after its start() returned. A flow whose tasks are still looking those up would mirror the first
 * records of a load late (issue 21).
 */
import { expect } from 'chai';
import { mirror } from '../../../../client/index.js';

function status(over: Partial<mirror.FlowStatus>): mirror.FlowStatus {
  return { flow: 'A->B', state: 'running', tasks: 3, readyTasks: 3, partitions: 9, topics: ['orders'], lastError: null, ...over };
}

describe('mirror /health: flowHealthy', () => {
  it('is healthy when the flow runs and every task is ready', () => {
    expect(mirror.flowHealthy(status({}))).to.equal(true);
  });

  it('is not healthy while a started task still resolves its positions or target leaders', () => {
    expect(mirror.flowHealthy(status({ readyTasks: 2 }))).to.equal(false);
    expect(mirror.flowHealthy(status({ readyTasks: 0 }))).to.equal(false);
  });

  it('is not healthy while the flow starts, restarts a task or is stopped, ready tasks or not', () => {
    for (const state of ['starting', 'restarting-task', 'stopped'] as const) expect(mirror.flowHealthy(status({ state })), state).to.equal(false);
  });

  it('a flow with no partitions to mirror (no tasks) that runs is healthy', () => {
    expect(mirror.flowHealthy(status({ tasks: 0, readyTasks: 0, partitions: 0, topics: [] }))).to.equal(true);
  });
});
