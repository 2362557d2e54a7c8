/**
 * Plain etcd load for the benches that measure etcd itself (bench/lossyfs.ts,
 * bench/etcd-overhead.ts): no faultline between the client and the cluster.
 */
import { Etcd3 } from 'etcd3';

/** The key and value a worker puts on its `n`th write. */
export type PutOf = (worker: number, n: number) => { key: string; value: string };

/**
 * `concurrency` workers, each with its own etcd3 client on one member (in turn), putting in a
 * loop for `seconds`: the ok puts per second. A failed put is not counted, as the runner would
 * not count it.
 */
export async function etcdPutLoop(
  endpoints: readonly string[],
  concurrency: number,
  seconds: number,
  put: PutOf,
): Promise<number> {
  const clients = Array.from(
    { length: concurrency },
    (_, i) => new Etcd3({ hosts: `http://${endpoints[i % endpoints.length]}` }),
  );
  let ok = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client, i) => {
      for (let n = 0; performance.now() < end; n++) {
        const { key, value } = put(i, n);
        try {
          await client.put(key).value(value);
          ok++;
        } catch {
          // Not ok: not counted.
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  for (const c of clients) c.close();
  return ok / elapsed;
}
