/**
 * The Debian 12 image of docker nodes, built locally without any registry: `debootstrap
 * --variant=minbase bookworm` from Debian's mirror with the packages SSH nodes get (the dbs,
 * iptables, procps, python3 for the packet helper, faketime), then `docker import`. The tag
 * carries a hash of the recipe, so an image is built once and reused until the recipe changes.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What goes into the image besides minbase: the same Debian packages SSH nodes run. */
export const NODE_IMAGE_PACKAGES = [
  'etcd-server',
  'etcd-client',
  'zookeeper',
  'libslf4j-java',
  'liblog4j1.2-java',
  'default-jre-headless',
  'nats-server',
  'iptables',
  'iproute2',
  'procps',
  'psmisc',
  'util-linux',
  'faketime',
  'python3-minimal',
] as const;

const SUITE = 'bookworm';
const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/** A stable name for the newest node image, for compose files: `faultline-node:bookworm`. */
export const NODE_IMAGE_ALIAS = `faultline-node:${SUITE}`;

/** The image's tag: `faultline-node:bookworm-<hash of the recipe>`. */
export function nodeImageTag(): string {
  const recipe = createHash('sha256')
    .update(`${SUITE} minbase ${NODE_IMAGE_PACKAGES.join(',')}`)
    .digest('hex');
  return `faultline-node:${SUITE}-${recipe.slice(0, 12)}`;
}

/**
 * The node image's tag, building it first when Docker does not have it (about 2–4 minutes,
 * from `mirror`, default Debian's; FAULTLINE_DEBIAN_MIRROR overrides it). Needs root and debootstrap.
 */
export async function ensureNodeImage(
  options: { mirror?: string; say?: (line: string) => void } = {},
): Promise<string> {
  const { $ } = await import('zx');
  const tag = nodeImageTag();
  const have = await $({ quiet: true, nothrow: true })`docker image inspect --format {{.Id}} ${tag}`;
  if (have.exitCode === 0) {
    await $({ quiet: true })`docker tag ${tag} ${NODE_IMAGE_ALIAS}`;
    return tag;
  }
  if ((await $({ quiet: true, nothrow: true })`command -v debootstrap`).exitCode !== 0) {
    throw new Error('building the node image needs debootstrap: apt-get install debootstrap');
  }
  const mirror = options.mirror ?? process.env.FAULTLINE_DEBIAN_MIRROR ?? DEFAULT_MIRROR;
  options.say?.(`faultline: building the docker node image ${tag} with debootstrap from ${mirror} (once)`);
  const root = await mkdtemp(join(process.env.FAULTLINE_IMAGE_TMP ?? tmpdir(), 'faultline-rootfs-'));
  try {
    const include = `--include=${NODE_IMAGE_PACKAGES.join(',')}`;
    await $({
      quiet: true,
      timeout: '20m',
    })`debootstrap --variant=minbase ${include} ${SUITE} ${root} ${mirror}`;
    // Nothing may start services inside the image, and the apt caches are dead weight.
    await $({
      quiet: true,
    })`rm -rf ${join(root, 'var/cache/apt/archives')} ${join(root, 'var/lib/apt/lists')}`;
    await $({
      quiet: true,
    })`mkdir -p ${join(root, 'var/cache/apt/archives/partial')} ${join(root, 'var/lib/apt/lists/partial')}`;
    await $({ quiet: true })`tar -C ${root} -c .`.pipe(
      $({
        quiet: true,
      })`docker import --change ${'CMD ["sleep", "infinity"]'} --message ${`faultline node image (${SUITE})`} - ${tag}`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  await $({ quiet: true })`docker tag ${tag} ${NODE_IMAGE_ALIAS}`;
  return tag;
}
