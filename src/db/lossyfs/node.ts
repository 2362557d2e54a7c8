/**
 * lossyfs on a node, over the Remote: built from the C source faultline ships (gcc and
 * libfuse3-dev, installed from Debian when missing), mounted over a backing directory,
 * asked to drop what was not fsynced, and unmounted. Every step is a script run on the node,
 * so it works on the local ensemble and on real machines alike.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Remote } from '../../control/types.js';
import { DaemonError } from '../daemon.js';
import { type LossyDataDirSettings, lossyfsFlags } from './options.js';

// From dist/src/db/lossyfs/ the source is in the package's src/ (see package.json `files`).
const SOURCE_URL = new URL(
  import.meta.url.includes('/dist/') ? '../../../../src/db/lossyfs/lossyfs.c' : './lossyfs.c',
  import.meta.url,
);

let source: { text: string; sha: string } | undefined;

/** The helper's C source and its sha256 (which names the built binary on the node). */
export function lossyfsSource(): { text: string; sha: string } {
  if (!source) {
    const text = readFileSync(fileURLToPath(SOURCE_URL), 'utf8');
    source = { text, sha: createHash('sha256').update(text).digest('hex') };
  }
  return source;
}

/** Where the helper for this source is built on a node (shared by the nodes of one host). */
export function lossyfsBinary(): string {
  return `/usr/local/lib/faultline/lossyfs/${lossyfsSource().sha.slice(0, 16)}/lossyfs`;
}

/** A node's lossy data dir: the mount point the db uses, the real directory under it. */
export interface LossyDataDirPaths {
  mount: string;
  backing: string;
  pidFile: string;
  log: string;
}

// Builds the helper from the source on stdin unless built; the nodes of one host may build
// at the same time, so each builds apart and renames into place. Args: binary, install (0/1).
const BUILD_SCRIPT = String.raw`
set -eu
bin=$1 install=$2
if [ -x "$bin" ]; then cat >/dev/null; exit 0; fi
if ! command -v gcc >/dev/null || ! pkg-config --exists fuse3 2>/dev/null; then
  if [ "$install" != 1 ]; then echo "lossyfs needs gcc, pkg-config and libfuse3-dev on the node" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  pkgs="gcc libc6-dev pkg-config libfuse3-dev fuse3"
  apt-get install -y -q --no-install-recommends $pkgs >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $pkgs >/dev/null; }
fi
[ -c /dev/fuse ] || { echo "lossyfs: no /dev/fuse on this node" >&2; exit 1; }
dir=$(dirname -- "$bin")
mkdir -p -- "$dir"
tmp=$(mktemp -d "$dir/build.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
cat >"$tmp/lossyfs.c"
gcc -O2 -Wall -o "$tmp/lossyfs" "$tmp/lossyfs.c" $(pkg-config --cflags --libs fuse3)
mv -f -- "$tmp/lossyfs" "$bin"
`;

// True when $mnt is a FUSE mount in this node's mount namespace.
const IS_MOUNTED = String.raw`is_mounted() { awk -v m="$mnt" '$2 == m && $3 ~ /^fuse/ { found = 1 } END { exit !found }' /proc/self/mounts; }`;

// Mounts lossyfs over the backing dir unless mounted. Args: binary, backing, mount, pidfile,
// log, flags...
const MOUNT_SCRIPT = String.raw`
set -eu
bin=$1 backing=$2 mnt=$3 pidfile=$4 log=$5
shift 5
${IS_MOUNTED}
is_mounted && exit 0
mkdir -p -- "$backing" "$mnt"
chmod 0700 -- "$backing" "$mnt"
setsid nohup "$bin" "$backing" "$mnt" "$@" >>"$log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pidfile"
for _ in $(seq 1 200); do
  is_mounted && exit 0
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
echo "lossyfs did not mount $mnt; last lines of $log:" >&2
tail -n 5 -- "$log" >&2
exit 1
`;

// Unmounts lossyfs (lazily if busy), ends its process, and with wipe=1 removes the backing
// dir. Args: backing, mount, pidfile, wipe. Fails only if the mount is still there.
const UNMOUNT_SCRIPT = String.raw`
set -u
backing=$1 mnt=$2 pidfile=$3 wipe=$4
${IS_MOUNTED}
alive() { # a zombie is dead
  local state
  [[ $(cat "/proc/$1/comm" 2>/dev/null) == lossyfs ]] || return 1
  state=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ $state != Z && $state != X ]]
}
if is_mounted; then umount -- "$mnt" 2>/dev/null || umount -l -- "$mnt"; fi
pid=$(cat -- "$pidfile" 2>/dev/null || true)
if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid"; then
  # It exits by itself once unmounted.
  for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.05; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null
fi
rm -f -- "$pidfile"
if [[ $wipe == 1 ]]; then rm -rf -- "$backing"; fi
if is_mounted; then echo "lossyfs: $mnt is still mounted" >&2; exit 1; fi
exit 0
`;

// Reads a control file of the mount. Args: mount, name.
const CONTROL_SCRIPT = String.raw`
set -eu
mnt=$1 name=$2
${IS_MOUNTED}
is_mounted || { echo "lossyfs is not mounted on $mnt" >&2; exit 1; }
cat -- "$mnt/$name"
`;

/** Builds the helper on the node unless built. */
export async function buildLossyfs(remote: Remote, node: string, install: boolean): Promise<void> {
  const r = await remote.script(node, BUILD_SCRIPT, [lossyfsBinary(), install ? '1' : '0'], {
    stdin: lossyfsSource().text,
    timeoutMs: 600_000,
    allowFailure: true,
  });
  if (r.code !== 0) throw new DaemonError(node, `building lossyfs failed: ${r.stderr.trim() || r.code}`);
}

/** Mounts lossyfs on `paths.mount` over `paths.backing` unless mounted. */
export async function mountLossyfs(
  remote: Remote,
  node: string,
  paths: LossyDataDirPaths,
  settings: LossyDataDirSettings,
): Promise<void> {
  const args = [
    lossyfsBinary(),
    paths.backing,
    paths.mount,
    paths.pidFile,
    paths.log,
    ...lossyfsFlags(settings),
  ];
  const r = await remote.script(node, MOUNT_SCRIPT, args, { timeoutMs: 30_000, allowFailure: true });
  if (r.code !== 0) throw new DaemonError(node, `mounting lossyfs failed: ${r.stderr.trim() || r.code}`);
}

/** Unmounts lossyfs from `paths.mount` (a no-op when not mounted); `wipe` also removes the backing dir. */
export async function unmountLossyfs(
  remote: Remote,
  node: string,
  paths: LossyDataDirPaths,
  wipe: boolean,
): Promise<void> {
  const args = [paths.backing, paths.mount, paths.pidFile, wipe ? '1' : '0'];
  const r = await remote.script(node, UNMOUNT_SCRIPT, args, { timeoutMs: 30_000, allowFailure: true });
  if (r.code !== 0) throw new DaemonError(node, `unmounting lossyfs failed: ${r.stderr.trim() || r.code}`);
}

/** What lossyfs rolled back (drop) or would (stats). */
export interface UnsyncedLoss {
  files: number;
  bytes: number;
}

/** Parses lossyfs's `dropped files=N bytes=M` / `unsynced files=N bytes=M ...`. */
export function parseLoss(text: string): UnsyncedLoss | null {
  const files = /\bfiles=(\d+)/.exec(text)?.[1];
  const bytes = /\bbytes=(\d+)/.exec(text)?.[1];
  return files === undefined || bytes === undefined ? null : { files: Number(files), bytes: Number(bytes) };
}

async function control(remote: Remote, node: string, mount: string, name: string): Promise<UnsyncedLoss> {
  const r = await remote.script(node, CONTROL_SCRIPT, [mount, name], {
    timeoutMs: 60_000,
    allowFailure: true,
  });
  const loss = r.code === 0 ? parseLoss(r.stdout) : null;
  if (!loss) throw new DaemonError(node, `lossyfs ${name} failed: ${r.stderr.trim() || r.stdout.trim()}`);
  return loss;
}

/** Rolls every file of the mount back to what was last fsynced; says what was lost. */
export function dropUnsynced(remote: Remote, node: string, mount: string): Promise<UnsyncedLoss> {
  return control(remote, node, mount, '.lossyfs-drop');
}

/**
 * The moment of a power failure: the mount's writeback stops until the next drop, so what is
 * unsynced now (and what the dying server still writes) is lost at the drop. Says what is unsynced.
 */
export function cutPower(remote: Remote, node: string, mount: string): Promise<UnsyncedLoss> {
  return control(remote, node, mount, '.lossyfs-cut');
}

/** What a drop would lose now. */
export function unsyncedNow(remote: Remote, node: string, mount: string): Promise<UnsyncedLoss> {
  return control(remote, node, mount, '.lossyfs-stats');
}

/**
 * The dead-man snippet that leaves no mount behind: unmounts (lazily) every lossyfs mount of
 * the node and ends its processes. The data stays in the backing dirs.
 */
export const UNMOUNT_ALL_SNIPPET = String.raw`awk '$3 == "fuse.lossyfs" { print $2 }' /proc/self/mounts | while read -r m; do umount -l -- "$m"; done; true`;
