/**
 * Which leftovers of killed test runs the harness removes at start (test/helpers/stale-resources.ts):
 * only names of its own formats whose owner PID is gone; a live owner's, a foreign name and the
 * older PID-less names are kept.
 */
import { expect } from 'chai';
import { diskImageOwner, diskImagePrefix, labTag, netOwner, processAlive, selectStale } from '../../helpers/stale-resources.js';

const DEAD = 4_194_305;
const LIVE = 31_337;
const tag = (pid: number, random = 'ab'): string => random + pid.toString(36).padStart(5, '0');

describe('harness > stale resources of killed runs', () => {
  it('names carry their owner: a lab tag fits interface names (≤ 15 chars) up to pid_max, a disk image path names its PID', () => {
    const t = labTag(4_194_304);
    expect(t).to.match(/^[0-9a-f]{2}[0-9a-z]{5}$/);
    for (const name of [`sfo${t}br`, `sfo${t}h12`, `sfo${t}n12`]) expect(name.length, name).to.be.at.most(15);
    for (const name of [`sfo${t}br`, `sfo${t}h1`, `sfo${t}n3`, `sfo${t}ns2`]) expect(netOwner(name), name).to.equal(4_194_304);
    expect(netOwner(`sfo${labTag()}ns1`)).to.equal(process.pid);
    expect(netOwner('sfofc5abr'), 'the older format has no owner').to.equal(undefined);
    expect(netOwner('sfoprobe1a2b3c'), 'the capability probe').to.equal(undefined);
    expect(netOwner('eth0')).to.equal(undefined);
    expect(diskImagePrefix(123)).to.equal('samsa-disk-img-p123-');
    expect(diskImageOwner('/tmp/samsa-disk-img-p123-AbC123/disk.img')).to.equal(123);
    expect(diskImageOwner('/tmp/samsa-disk-img-p123-AbC123/disk.img (deleted)')).to.equal(123);
    expect(diskImageOwner('/tmp/samsa-disk-img-XyZ987/disk.img'), 'the older path').to.equal(undefined);
    expect(diskImageOwner('/var/lib/snapd/snaps/core.snap')).to.equal(undefined);
  });

  it('selects what a dead owner left, keeps a live owner\'s, foreign ones and the older names (reported as unowned)', () => {
    const dead = tag(DEAD);
    const live = tag(LIVE, 'cd');
    const found = {
      namespaces: [`sfo${dead}ns1`, `sfo${dead}ns2`, `sfo${live}ns1`, 'sfofc5ans1', 'someone-elses'],
      links: ['lo', 'eth0', `sfo${dead}br`, `sfo${dead}h1`, `sfo${live}br`, `sfo${live}h1`, 'sfofc5abr', 'docker0'],
      loops: [
        { device: '/dev/loop0', backingFile: `/tmp/samsa-disk-img-p${DEAD}-a1b2c3/disk.img (deleted)` },
        { device: '/dev/loop1', backingFile: `/tmp/samsa-disk-img-p${LIVE}-d4e5f6/disk.img` },
        { device: '/dev/loop2', backingFile: '/var/lib/snapd/snaps/core.snap' },
      ],
      mounts: [
        { device: '/dev/loop0', dir: '/tmp/samsa-failover-x/b2/disk' },
        { device: '/dev/loop1', dir: '/tmp/samsa-failover-y/b2/disk' },
        { device: '/dev/loop2', dir: '/snap/core/1' },
      ],
    };
    const stale = selectStale(found, (pid) => pid === LIVE);
    expect(stale.namespaces).to.deep.equal([`sfo${dead}ns1`, `sfo${dead}ns2`]);
    expect(stale.links).to.deep.equal([`sfo${dead}br`, `sfo${dead}h1`]);
    expect(stale.loops.map((l) => l.device)).to.deep.equal(['/dev/loop0']);
    expect(stale.mounts).to.deep.equal([{ device: '/dev/loop0', dir: '/tmp/samsa-failover-x/b2/disk' }]);
    expect(stale.unowned).to.deep.equal(['sfofc5ans1', 'sfofc5abr']);
    // Every owner alive: nothing to remove.
    const none = selectStale(found, () => true);
    expect([none.namespaces, none.links, none.loops, none.mounts]).to.deep.equal([[], [], [], []]);
  });

  it('a PID is alive while its process runs (this one), not after it is gone', () => {
    expect(processAlive(process.pid)).to.equal(true);
    expect(processAlive(DEAD), 'above pid_max: never a process').to.equal(false);
  });
});
