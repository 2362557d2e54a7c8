import { describe, expect, it } from 'vitest';
import type { Remote } from '../../src/control/types.js';
import {
  knowsSyncInterval,
  natsConf,
  natsReplicas,
  parseNatsOptions,
  parseNatsVersion,
} from '../../src/db/nats/config.js';
import { parseHealthz, parseJsz } from '../../src/db/nats/monitor.js';
import type { DbContext } from '../../src/db/types.js';
import { InputError } from '../../src/errors.js';

const nodes = ['n1', 'n2', 'n3'];
const addresses: Pick<Remote, 'address'> = { address: (n) => `10.9.0.${10 + nodes.indexOf(n) + 1}` };
const ctxWith = (options: Record<string, unknown>) => ({ options }) as unknown as DbContext;
const options = (o: Record<string, unknown>) => parseNatsOptions(ctxWith(o));

describe('NATS configuration', () => {
  it('routes every node to every other one, with JetStream stored under the node dir', () => {
    const conf = natsConf(options({}), nodes, 'n2', addresses);
    expect(conf).toContain('server_name: "n2"');
    expect(conf).toContain('port: 4222');
    expect(conf).toContain('client_advertise: "10.9.0.12:4222"');
    expect(conf).toContain('store_dir: "/opt/faultline/nats/n2/nats/data"');
    expect(conf).toContain('"nats-route://10.9.0.11:6222"');
    expect(conf).toContain('"nats-route://10.9.0.13:6222"');
    expect(conf).not.toContain('10.9.0.12:6222"\n    ');
    expect(conf).not.toContain('nats-route://10.9.0.12');
    // NATS' own default fsync policy unless asked.
    expect(conf).not.toContain('sync_interval');
  });

  it('writes sync_interval when asked, and refuses what NATS would not parse', () => {
    expect(natsConf(options({ syncInterval: 'always' }), nodes, 'n1', addresses)).toContain(
      'sync_interval: "always"',
    );
    expect(natsConf(options({ syncInterval: '10s' }), nodes, 'n1', addresses)).toContain(
      'sync_interval: "10s"',
    );
    expect(() => options({ syncInterval: 'sometimes' })).toThrow(InputError);
    expect(() => options({ syncInterval: 'sometimes' })).toThrow(/options\.syncInterval/);
    expect(() => options({ replicas: 7 })).toThrow(/options\.replicas/);
    expect(() => options({ replica: 3 })).toThrow(/options\.replica/);
  });

  it('replicates streams on every node, at most 5', () => {
    expect(natsReplicas(undefined, 3)).toBe(3);
    expect(natsReplicas(undefined, 7)).toBe(5);
    expect(natsReplicas(3, 5)).toBe(3);
    expect(natsReplicas(5, 3)).toBe(3);
  });

  it('reads the server version and knows which versions take sync_interval', () => {
    expect(parseNatsVersion('nats-server: v2.9.10\n')).toBe('2.9.10');
    expect(knowsSyncInterval('2.9.10')).toBe(false);
    expect(knowsSyncInterval('2.10.0')).toBe(true);
    expect(knowsSyncInterval('2.12.1')).toBe(true);
    expect(knowsSyncInterval('3.0.0')).toBe(true);
  });
});

describe('NATS monitoring answers', () => {
  it('reads the meta leader and each stream leader from /jsz', () => {
    const view = parseJsz(
      JSON.stringify({
        meta_cluster: { name: 'faultline', leader: 'n1', cluster_size: 3 },
        account_details: [
          {
            stream_detail: [
              { name: 'S', cluster: { leader: 'n2' } },
              { name: 'T', cluster: {} },
            ],
          },
        ],
      }),
    );
    expect(view?.metaLeader).toBe('n1');
    expect(view?.clusterSize).toBe(3);
    expect([...(view?.streamLeaders ?? [])]).toEqual([
      ['S', 'n2'],
      ['T', null],
    ]);
    expect(parseJsz(JSON.stringify({ meta_cluster: { leader: '' } }))?.metaLeader).toBeNull();
    expect(parseJsz('not json')).toBeNull();
  });

  it('says why /healthz is not ok', () => {
    expect(parseHealthz(200, '{"status":"ok"}')).toBeNull();
    expect(
      parseHealthz(
        503,
        '{"status":"unavailable","error":"JetStream has not established contact with a meta leader"}',
      ),
    ).toBe('healthz 503: JetStream has not established contact with a meta leader');
    expect(parseHealthz(500, 'oops')).toBe('healthz 500: oops');
  });
});
