/** `faultline quorum` refuses bad input with exit 254 and one line naming the flag, before touching any node. */
import { expect, it } from 'vitest';
import { describeBuilt, faultline, requireBuilt } from '../support/cli.js';

describeBuilt('faultline quorum: bad input', () => {
  it.each([
    [['--db', 'nope'], /unknown db "nope".*etcd-islands/],
    [['--db', 'etcd', '--sizes', '0-3'], /--sizes/],
    [['--db', 'etcd', '--sites', '4'], /--sites/],
    [['--db', 'etcd', '--faults', 'pause'], /--faults/],
  ])('%j', (args, message) => {
    requireBuilt();
    const r = faultline(['quorum', ...args, '--ensemble', 'flqnone']);
    expect(r.status).toBe(254);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
