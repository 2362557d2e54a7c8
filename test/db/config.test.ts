import { describe, expect, it } from 'vitest';
import type { Remote } from '../../src/control/types.js';
import { etcdArgv, etcdOptionsSchema, parseEtcdStatus } from '../../src/db/etcd/index.js';
import { DBS } from '../../src/db/index.js';
import { parseOptions } from '../../src/db/options.js';
import type { DbContext } from '../../src/db/types.js';
import {
  parseSrvrMode,
  zooCfg,
  zookeeperArgv,
  zookeeperMyId,
  zookeeperOptionsSchema,
} from '../../src/db/zookeeper/index.js';
import { InputError } from '../../src/errors.js';

const nodes = ['n1', 'n2', 'n3'];
const addresses: Pick<Remote, 'address'> = { address: (n) => `10.9.0.${10 + nodes.indexOf(n) + 1}` };
// Only `options` is read by parseOptions; the rest of the context is irrelevant here.
const ctxWith = (options: Record<string, unknown>) => ({ options }) as unknown as DbContext;

/** The value following `flag` in an argv. */
const flag = (argv: string[], name: string) => argv[argv.indexOf(name) + 1];

describe('etcd configuration', () => {
  it('bootstraps every node into one cluster, listening on its address and loopback', () => {
    const options = parseOptions('etcd', etcdOptionsSchema, ctxWith({}));
    const argv = etcdArgv(options, nodes, 'n2', addresses);
    expect(argv[0]).toBe('etcd');
    expect(flag(argv, '--name')).toBe('n2');
    expect(flag(argv, '--data-dir')).toBe('/var/lib/etcd/faultline/n2/etcd/data');
    expect(flag(argv, '--initial-cluster')).toBe(
      'n1=http://10.9.0.11:2380,n2=http://10.9.0.12:2380,n3=http://10.9.0.13:2380',
    );
    expect(flag(argv, '--listen-client-urls')).toBe('http://10.9.0.12:2379,http://127.0.0.1:2379');
    expect(flag(argv, '--advertise-client-urls')).toBe('http://10.9.0.12:2379');
    expect(argv).toContain('--pre-vote=false');
    expect(argv).not.toContain('--snapshot-count');
    // The same cluster token on every node, so they agree on member ids.
    expect(flag(argv, '--initial-cluster-token')).toBe(
      flag(etcdArgv(options, nodes, 'n1', addresses), '--initial-cluster-token'),
    );
  });

  it('passes the raft options through', () => {
    const options = parseOptions(
      'etcd',
      etcdOptionsSchema,
      ctxWith({
        preVote: true,
        snapshotCount: 500,
        heartbeatInterval: 50,
        electionTimeout: 300,
        clientPort: 3379,
      }),
    );
    const argv = etcdArgv(options, nodes, 'n1', addresses);
    expect(argv).toContain('--pre-vote=true');
    expect(flag(argv, '--snapshot-count')).toBe('500');
    expect(flag(argv, '--heartbeat-interval')).toBe('50');
    expect(flag(argv, '--election-timeout')).toBe('300');
    expect(flag(argv, '--listen-client-urls')).toBe('http://10.9.0.11:3379,http://127.0.0.1:3379');
  });

  it('uses the binaries of an uploaded tarball', () => {
    const options = parseOptions(
      'etcd',
      etcdOptionsSchema,
      ctxWith({ tarball: '/tmp/etcd.tgz', dir: '/srv/f' }),
    );
    expect(etcdArgv(options, nodes, 'n1', addresses)[0]).toBe('/srv/f/n1/etcd/dist/etcd');
  });

  it('refuses bad options with the field named', () => {
    const bad = (options: Record<string, unknown>) => () =>
      parseOptions('etcd', etcdOptionsSchema, ctxWith(options));
    expect(bad({ snapshotCont: 5 })).toThrow(InputError);
    expect(bad({ snapshotCont: 5 })).toThrow(/field options\.snapshotCont/);
    expect(bad({ preVote: 'yes' })).toThrow(/field options\.preVote/);
    expect(bad({ heartbeatInterval: 100, electionTimeout: 400 })).toThrow(
      /field options\.electionTimeout: .*5 times/,
    );
    expect(bad({ dir: 'relative/path' })).toThrow(/field options\.dir/);
  });

  it('reads member and leader ids without losing uint64 precision', () => {
    const json =
      '[{"Endpoint":"http://127.0.0.1:2379","Status":{"header":{"cluster_id":17237436991929493444,' +
      '"member_id":10276657743932975437,"revision":1,"raft_term":3},"version":"3.4.23","dbSize":20480,' +
      '"leader":10276657743932975437,"raftIndex":8,"raftTerm":3,"raftAppliedIndex":8,"dbSizeInUse":20480}}]';
    expect(parseEtcdStatus(json)).toEqual({
      memberId: '10276657743932975437',
      leaderId: '10276657743932975437',
      raftTerm: 3,
    });
    const gateway =
      '{"header":{"cluster_id":"8531488057124484502","member_id":"2962872831274757389","revision":"1",' +
      '"raft_term":"2"},"version":"3.4.23","leader":"2962872831274757300","raftIndex":"12","raftTerm":"2"}';
    expect(parseEtcdStatus(gateway)).toEqual({
      memberId: '2962872831274757389',
      leaderId: '2962872831274757300',
      raftTerm: 2,
    });
    expect(parseEtcdStatus('Error: context deadline exceeded')).toBeNull();
  });
});

describe('ZooKeeper configuration', () => {
  it('writes one server line per node and the tick options', () => {
    const options = parseOptions(
      'zookeeper',
      zookeeperOptionsSchema,
      ctxWith({ tickTime: 500, initLimit: 4 }),
    );
    const cfg = zooCfg(options, nodes, 'n3', addresses).split('\n');
    expect(cfg).toContain('tickTime=500');
    expect(cfg).toContain('initLimit=4');
    expect(cfg).toContain('syncLimit=5');
    expect(cfg).toContain('dataDir=/var/lib/zookeeper/faultline/n3/zookeeper/data');
    expect(cfg).toContain('server.1=10.9.0.11:2888:3888');
    expect(cfg).toContain('server.3=10.9.0.13:2888:3888');
    expect(cfg.find((l) => l.startsWith('4lw.commands.whitelist='))).toMatch(/srvr.*ruok.*mntr/);
    expect(zookeeperMyId(nodes, 'n3')).toBe(3);
    expect(() => zookeeperMyId(nodes, 'n9')).toThrow(/n9/);
  });

  it('starts java without perf data and with a log4j binding', () => {
    const options = parseOptions('zookeeper', zookeeperOptionsSchema, ctxWith({ jvmOpts: ['-Xmx128m'] }));
    const argv = zookeeperArgv(options, 'n1');
    expect(argv).toContain('-XX:-UsePerfData');
    expect(argv).toContain('-Xmx128m');
    expect(flag(argv, '-cp')).toMatch(/zookeeper\.jar.*slf4j-log4j12\.jar.*log4j-1\.2\.jar/);
    expect(argv.at(-1)).toBe('/var/lib/zookeeper/faultline/n1/zookeeper/conf/zoo.cfg');
  });

  it('reads the mode from srvr', () => {
    expect(parseSrvrMode('Zookeeper version: 3.8.0\nZxid: 0x0\nMode: leader\nNode count: 5\n')).toBe(
      'leader',
    );
    expect(parseSrvrMode('Mode: follower\n')).toBe('follower');
    expect(parseSrvrMode('This ZooKeeper instance is not currently serving requests\n')).toBe('not-serving');
    expect(parseSrvrMode('')).toBeNull();
  });

  it('refuses bad options with the field named', () => {
    expect(() => parseOptions('zookeeper', zookeeperOptionsSchema, ctxWith({ tickTime: -1 }))).toThrow(
      /field options\.tickTime/,
    );
  });
});

describe('db registry', () => {
  it('knows etcd, zookeeper and nats, and names the known ones for an unknown db', () => {
    expect(DBS.get('etcd').name).toBe('etcd');
    expect(DBS.get('zookeeper').name).toBe('zookeeper');
    expect(DBS.get('nats').name).toBe('nats');
    expect(() => DBS.get('mongodb')).toThrow(/unknown db "mongodb" \(known: etcd, nats, zookeeper\)/);
    expect(() => DBS.get('toString')).toThrow(InputError);
  });
});
