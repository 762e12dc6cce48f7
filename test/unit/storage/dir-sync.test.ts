import { expect } from 'chai';
import { DirectorySyncs } from '../../../storage/log-manager-dir-sync.js';

/** A directory fsync that completes when the test says so. */
function controlledSync() {
  const started: string[] = [];
  const pending: Array<() => void> = [];
  const syncDir = (dir: string): Promise<void> => {
    started.push(dir);
    return new Promise<void>((resolve) => pending.push(resolve));
  };
  const finishOne = async (): Promise<void> => {
    pending.shift()!();
    for (let i = 0; i < 5; i++) await Promise.resolve(); // let the chained callbacks run
  };
  return { started, syncDir, finishOne };
}

describe('storage > DirectorySyncs', () => {
  it('creating many logs at once costs one directory fsync, not one per log', async () => {
    const c = controlledSync();
    const syncs = new DirectorySyncs(c.syncDir);
    const done = Array.from({ length: 1000 }, () => syncs.sync('/data'));
    await Promise.resolve();
    await Promise.resolve();
    expect(c.started).to.deep.equal(['/data']);
    await c.finishOne();
    await Promise.all(done);
    expect(c.started).to.have.length(1);
  });

  it('a caller arriving while a sync runs waits for a later one (its entry may postdate the running sync)', async () => {
    const c = controlledSync();
    const syncs = new DirectorySyncs(c.syncDir);
    const first = syncs.sync('/data');
    await Promise.resolve();
    await Promise.resolve();
    expect(c.started).to.have.length(1);
    let lateDone = false;
    const late = syncs.sync('/data').then(() => (lateDone = true));
    const late2 = syncs.sync('/data');
    await c.finishOne();
    await first;
    expect(lateDone).to.equal(false);
    expect(c.started).to.have.length(2);
    await c.finishOne();
    await Promise.all([late, late2]);
    expect(c.started).to.have.length(2);
    expect(syncs.inFlight).to.equal(0);
  });

  it('directories are synced independently, and a failed sync fails only its own callers', async () => {
    let calls = 0;
    const syncs = new DirectorySyncs(async (dir) => {
      calls++;
      if (dir === '/bad' && calls === 1) throw new Error('EIO');
    });
    const bad = syncs.sync('/bad');
    const good = syncs.sync('/good');
    const err = await bad.then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).to.equal('EIO');
    await good;
    await syncs.sync('/bad');
    expect(calls).to.equal(3);
  });
});
