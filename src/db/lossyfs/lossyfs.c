/*
 * lossyfs: a FUSE passthrough filesystem over a real directory that can forget every write
 * not yet fsynced, as a power failure would (the idea of LazyFS).
 *
 *   lossyfs BACKING MOUNTPOINT [--fsync-lies] [--writeback-ms N]
 *
 * Writes go through to BACKING at once, so reads are plain passthrough; what lossyfs keeps in
 * its own memory is, per file, the bytes each unsynced write overwrote and the size the file
 * had when it was last durable (an undo log). fsync/fdatasync of a file makes its writes
 * durable: the undo log is forgotten. Reading MOUNTPOINT/.lossyfs-drop (hidden from
 * listings) rolls every file back to its durable state and prints what was lost; reading
 * MOUNTPOINT/.lossyfs-stats prints what would be. Reading MOUNTPOINT/.lossyfs-cut stops
 * the periodic writeback until the next drop: the power nemesis cuts, kills the server, then
 * drops, and killing a server can take seconds, in which the writeback must not save what the
 * power failure loses. Writes and fsyncs go on as before until the server dies (failing them
 * would let it log a panic first; holding them would make it unkillable: the kernel waits for
 * a FUSE answer a SIGKILL cannot cut short).
 *
 * What is modelled: file data written since the last fsync/fdatasync of that file, including
 * growth of the file by writes. What is not: metadata (create, rename, unlink, link, mkdir,
 * chmod, the size set by truncate or fallocate) is durable at once, as on a journalling
 * filesystem that commits metadata synchronously; the data a truncate or fallocate newly
 * covers is still lost if it was not synced.
 *
 * --fsync-lies: fsync and fdatasync return success without making anything durable
 * (explicitly unsafe; with --writeback-ms the only way data becomes durable).
 * --writeback-ms N: every N ms all data becomes durable at once, like the kernel's periodic
 * writeback of dirty pages; a drop then rolls each file back to at least that moment.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#define DROP_NAME "/.lossyfs-drop"
#define STATS_NAME "/.lossyfs-stats"
#define CUT_NAME "/.lossyfs-cut"
/* File handles above this mark are control files: the value is a pointer to their text. */
#define CONTROL_FH_BIT ((uint64_t)1 << 63)

/* The bytes one write overwrote (data == NULL: zeros). */
struct piece {
  off_t off;
  size_t len;
  char *data;
};

/* The undo log of one file (by inode), since it was last durable. */
struct undo {
  dev_t dev;
  ino_t ino;
  int fd; /* O_RDWR on the backing file, for reading pre-images and rolling back */
  off_t durable_size;
  struct piece *pieces;
  size_t count, cap;
  size_t bytes;
  struct undo *next;
};

static int backing_fd = -1;
static int fsync_lies = 0;
static long writeback_ms = 0;
static struct undo *undos = NULL;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Set by a read of CUT_NAME, cleared by a drop: no writeback until then. */
static int cut = 0;
static unsigned long long drops = 0, lost_files_total = 0, lost_bytes_total = 0;

static const char *rel(const char *path) { return path[1] == '\0' ? "." : path + 1; }
static int is_control(const char *path) {
  return !strcmp(path, DROP_NAME) || !strcmp(path, STATS_NAME) || !strcmp(path, CUT_NAME);
}

static void free_undo(struct undo *u) {
  for (size_t i = 0; i < u->count; i++) free(u->pieces[i].data);
  free(u->pieces);
  close(u->fd);
  free(u);
}

/* Forgets the undo log of (dev, ino): its data is durable now. Caller holds the lock. */
static void make_durable(dev_t dev, ino_t ino) {
  for (struct undo **p = &undos; *p; p = &(*p)->next) {
    if ((*p)->dev == dev && (*p)->ino == ino) {
      struct undo *u = *p;
      *p = u->next;
      free_undo(u);
      return;
    }
  }
}

static struct undo *find_undo(dev_t dev, ino_t ino) {
  for (struct undo *u = undos; u; u = u->next)
    if (u->dev == dev && u->ino == ino) return u;
  return NULL;
}

/* The undo log of the file open as fd, created (durable size = its size now) when missing. */
static struct undo *undo_for(int fd, const struct stat *st) {
  struct undo *u = find_undo(st->st_dev, st->st_ino);
  if (u) return u;
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  int rw = open(proc, O_RDWR | O_CLOEXEC);
  if (rw < 0) return NULL;
  u = calloc(1, sizeof *u);
  if (!u) {
    close(rw);
    return NULL;
  }
  u->dev = st->st_dev;
  u->ino = st->st_ino;
  u->fd = rw;
  u->durable_size = st->st_size;
  u->next = undos;
  undos = u;
  return u;
}

static int add_piece(struct undo *u, off_t off, size_t len, int zeros) {
  if (len == 0) return 0;
  if (u->count == u->cap) {
    size_t cap = u->cap ? u->cap * 2 : 16;
    struct piece *p = realloc(u->pieces, cap * sizeof *p);
    if (!p) return -ENOMEM;
    u->pieces = p;
    u->cap = cap;
  }
  char *data = NULL;
  if (!zeros) {
    data = malloc(len);
    if (!data) return -ENOMEM;
    ssize_t got = pread(u->fd, data, len, off);
    if (got < 0) {
      free(data);
      return -errno;
    }
    if ((size_t)got < len) memset(data + got, 0, len - (size_t)got);
  }
  u->pieces[u->count++] = (struct piece){off, len, data};
  u->bytes += len;
  return 0;
}

/* The file's size becomes durable at `size` (truncate, fallocate): data it now covers that was
 * written but not synced stays undoable, as zeros. Caller holds the lock. */
static int durable_resize(int fd, off_t size) {
  struct stat st;
  if (fstat(fd, &st) < 0) return -errno;
  struct undo *u = find_undo(st.st_dev, st.st_ino);
  if (!u) return 0;
  if (size > u->durable_size) {
    off_t end = st.st_size < size ? st.st_size : size;
    if (end > u->durable_size) {
      int r = add_piece(u, u->durable_size, (size_t)(end - u->durable_size), 1);
      if (r < 0) return r;
    }
  }
  u->durable_size = size;
  return 0;
}

/* Rolls every file back to its durable state; caller holds the lock. */
static void drop_all(unsigned long long *files, unsigned long long *bytes) {
  static const char zeros[65536];
  *files = 0;
  *bytes = 0;
  while (undos) {
    struct undo *u = undos;
    undos = u->next;
    for (size_t i = u->count; i-- > 0;) {
      struct piece *p = &u->pieces[i];
      if (p->data) {
        if (pwrite(u->fd, p->data, p->len, p->off) < 0) perror("lossyfs: rollback");
      } else {
        for (size_t done = 0; done < p->len;) {
          size_t n = p->len - done < sizeof zeros ? p->len - done : sizeof zeros;
          if (pwrite(u->fd, zeros, n, p->off + (off_t)done) < 0) {
            perror("lossyfs: rollback");
            break;
          }
          done += n;
        }
      }
    }
    if (ftruncate(u->fd, u->durable_size) < 0) perror("lossyfs: rollback truncate");
    (*files)++;
    *bytes += u->bytes;
    free_undo(u);
  }
}

static char *control_text(const char *path) {
  char *text = NULL;
  pthread_mutex_lock(&lock);
  if (!strcmp(path, DROP_NAME)) {
    unsigned long long files, bytes;
    drop_all(&files, &bytes);
    cut = 0;
    drops++;
    lost_files_total += files;
    lost_bytes_total += bytes;
    if (asprintf(&text, "dropped files=%llu bytes=%llu\n", files, bytes) < 0) text = NULL;
  } else {
    if (!strcmp(path, CUT_NAME)) cut = 1;
    unsigned long long files = 0, bytes = 0;
    for (struct undo *u = undos; u; u = u->next) {
      files++;
      bytes += u->bytes;
    }
    if (asprintf(&text, "unsynced files=%llu bytes=%llu drops=%llu lost_files=%llu lost_bytes=%llu fsync=%s\n",
                 files, bytes, drops, lost_files_total, lost_bytes_total, fsync_lies ? "lies" : "honest") < 0)
      text = NULL;
  }
  pthread_mutex_unlock(&lock);
  return text;
}

static void *writeback_loop(void *arg) {
  (void)arg;
  for (;;) {
    usleep((useconds_t)writeback_ms * 1000);
    pthread_mutex_lock(&lock);
    while (undos && !cut) {
      struct undo *u = undos;
      undos = u->next;
      free_undo(u);
    }
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

/* ---- FUSE operations: passthrough to the backing directory ---- */

static void *lfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
  (void)conn;
  cfg->use_ino = 1;
  /* lossyfs changes files behind the kernel's back (rollback): cache no sizes. */
  cfg->attr_timeout = 0;
  cfg->entry_timeout = 0;
  cfg->negative_timeout = 0;
  cfg->hard_remove = 1;
  if (writeback_ms > 0) {
    pthread_t t;
    pthread_create(&t, NULL, writeback_loop, NULL);
    pthread_detach(t);
  }
  return NULL;
}

static int lfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
  if (is_control(path)) {
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    return 0;
  }
  int r = fi && !(fi->fh & CONTROL_FH_BIT) ? fstat((int)fi->fh, st)
                                           : fstatat(backing_fd, rel(path), st, AT_SYMLINK_NOFOLLOW);
  return r < 0 ? -errno : 0;
}

static int lfs_readlink(const char *path, char *buf, size_t size) {
  ssize_t n = readlinkat(backing_fd, rel(path), buf, size - 1);
  if (n < 0) return -errno;
  buf[n] = '\0';
  return 0;
}

static int lfs_mknod(const char *path, mode_t mode, dev_t rdev) {
  return mknodat(backing_fd, rel(path), mode, rdev) < 0 ? -errno : 0;
}
static int lfs_mkdir(const char *path, mode_t mode) {
  return mkdirat(backing_fd, rel(path), mode) < 0 ? -errno : 0;
}
static int lfs_unlink(const char *path) { return unlinkat(backing_fd, rel(path), 0) < 0 ? -errno : 0; }
static int lfs_rmdir(const char *path) {
  return unlinkat(backing_fd, rel(path), AT_REMOVEDIR) < 0 ? -errno : 0;
}
static int lfs_symlink(const char *target, const char *path) {
  return symlinkat(target, backing_fd, rel(path)) < 0 ? -errno : 0;
}
static int lfs_rename(const char *from, const char *to, unsigned int flags) {
  return renameat2(backing_fd, rel(from), backing_fd, rel(to), flags) < 0 ? -errno : 0;
}
static int lfs_link(const char *from, const char *to) {
  return linkat(backing_fd, rel(from), backing_fd, rel(to), 0) < 0 ? -errno : 0;
}
static int lfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
  int r = fi ? fchmod((int)fi->fh, mode) : fchmodat(backing_fd, rel(path), mode, 0);
  return r < 0 ? -errno : 0;
}
static int lfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
  int r = fi ? fchown((int)fi->fh, uid, gid) : fchownat(backing_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
  return r < 0 ? -errno : 0;
}

static int lfs_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
  int fd = fi ? (int)fi->fh : openat(backing_fd, rel(path), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  pthread_mutex_lock(&lock);
  int r = durable_resize(fd, size);
  if (r == 0 && ftruncate(fd, size) < 0) r = -errno;
  pthread_mutex_unlock(&lock);
  if (!fi) close(fd);
  return r;
}

static int lfs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
  int r = fi ? futimens((int)fi->fh, tv) : utimensat(backing_fd, rel(path), tv, AT_SYMLINK_NOFOLLOW);
  return r < 0 ? -errno : 0;
}

static int lfs_open(const char *path, struct fuse_file_info *fi) {
  if (is_control(path)) {
    if ((fi->flags & O_ACCMODE) != O_RDONLY) return -EACCES;
    char *text = control_text(path);
    if (!text) return -ENOMEM;
    fi->fh = (uint64_t)(uintptr_t)text | CONTROL_FH_BIT;
    fi->direct_io = 1;
    return 0;
  }
  int fd = openat(backing_fd, rel(path), fi->flags & ~O_NOFOLLOW);
  if (fd < 0) return -errno;
  fi->fh = (uint64_t)fd;
  return 0;
}

static int lfs_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
  if (is_control(path)) return -EEXIST;
  int fd = openat(backing_fd, rel(path), fi->flags, mode);
  if (fd < 0) return -errno;
  fi->fh = (uint64_t)fd;
  return 0;
}

static int lfs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)path;
  if (fi->fh & CONTROL_FH_BIT) {
    const char *text = (const char *)(uintptr_t)(fi->fh & ~CONTROL_FH_BIT);
    size_t len = strlen(text);
    if ((size_t)off >= len) return 0;
    size_t n = len - (size_t)off < size ? len - (size_t)off : size;
    memcpy(buf, text + off, n);
    return (int)n;
  }
  ssize_t n = pread((int)fi->fh, buf, size, off);
  return n < 0 ? -errno : (int)n;
}

static int lfs_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)path;
  int fd = (int)fi->fh;
  struct stat st;
  pthread_mutex_lock(&lock);
  if (fstat(fd, &st) < 0) {
    int e = errno;
    pthread_mutex_unlock(&lock);
    return -e;
  }
  if (fi->flags & O_APPEND) off = st.st_size;
  struct undo *u = undo_for(fd, &st);
  if (!u) {
    pthread_mutex_unlock(&lock);
    return -EIO;
  }
  /* Only bytes below the durable size need their old value: the rest is cut off on rollback. */
  if (off < u->durable_size) {
    off_t end = off + (off_t)size < u->durable_size ? off + (off_t)size : u->durable_size;
    int r = add_piece(u, off, (size_t)(end - off), 0);
    if (r < 0) {
      pthread_mutex_unlock(&lock);
      return r;
    }
  }
  if (off + (off_t)size > u->durable_size) u->bytes += (size_t)(off + (off_t)size - (off > u->durable_size ? off : u->durable_size));
  ssize_t n = pwrite(fd, buf, size, off);
  int e = errno;
  pthread_mutex_unlock(&lock);
  return n < 0 ? -e : (int)n;
}

static int lfs_statfs(const char *path, struct statvfs *st) {
  (void)path;
  return fstatvfs(backing_fd, st) < 0 ? -errno : 0;
}

static int lfs_release(const char *path, struct fuse_file_info *fi) {
  (void)path;
  if (fi->fh & CONTROL_FH_BIT) free((char *)(uintptr_t)(fi->fh & ~CONTROL_FH_BIT));
  else close((int)fi->fh);
  return 0;
}

static int lfs_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)path;
  if (fi->fh & CONTROL_FH_BIT) return 0;
  if (fsync_lies) return 0;
  int fd = (int)fi->fh;
  int r = datasync ? fdatasync(fd) : fsync(fd);
  if (r < 0) return -errno;
  struct stat st;
  if (fstat(fd, &st) < 0) return -errno;
  pthread_mutex_lock(&lock);
  make_durable(st.st_dev, st.st_ino);
  pthread_mutex_unlock(&lock);
  return 0;
}

static int lfs_opendir(const char *path, struct fuse_file_info *fi) {
  int fd = openat(backing_fd, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -errno;
  DIR *d = fdopendir(fd);
  if (!d) {
    int e = errno;
    close(fd);
    return -e;
  }
  fi->fh = (uint64_t)(uintptr_t)d;
  return 0;
}

static int lfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                       enum fuse_readdir_flags flags) {
  (void)path;
  (void)off;
  (void)flags;
  DIR *d = (DIR *)(uintptr_t)fi->fh;
  rewinddir(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    struct stat st = {0};
    st.st_ino = e->d_ino;
    st.st_mode = (mode_t)DTTOIF(e->d_type);
    if (fill(buf, e->d_name, &st, 0, 0)) break;
  }
  return 0;
}

static int lfs_releasedir(const char *path, struct fuse_file_info *fi) {
  (void)path;
  closedir((DIR *)(uintptr_t)fi->fh);
  return 0;
}

static int lfs_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)path;
  (void)datasync;
  if (fsync_lies) return 0;
  return fsync(dirfd((DIR *)(uintptr_t)fi->fh)) < 0 ? -errno : 0;
}

static int lfs_access(const char *path, int mask) {
  if (is_control(path)) return 0;
  return faccessat(backing_fd, rel(path), mask, 0) < 0 ? -errno : 0;
}

static int lfs_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi) {
  (void)path;
  int fd = (int)fi->fh;
  pthread_mutex_lock(&lock);
  int r = 0;
  struct stat st;
  if (fstat(fd, &st) < 0) r = -errno;
  else if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > st.st_size) r = durable_resize(fd, off + len);
  if (r == 0 && fallocate(fd, mode, off, len) < 0) r = -errno;
  pthread_mutex_unlock(&lock);
  return r;
}

static off_t lfs_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi) {
  (void)path;
  off_t r = lseek((int)fi->fh, off, whence);
  return r < 0 ? -errno : r;
}

static const struct fuse_operations ops = {
    .init = lfs_init,
    .getattr = lfs_getattr,
    .readlink = lfs_readlink,
    .mknod = lfs_mknod,
    .mkdir = lfs_mkdir,
    .unlink = lfs_unlink,
    .rmdir = lfs_rmdir,
    .symlink = lfs_symlink,
    .rename = lfs_rename,
    .link = lfs_link,
    .chmod = lfs_chmod,
    .chown = lfs_chown,
    .truncate = lfs_truncate,
    .utimens = lfs_utimens,
    .open = lfs_open,
    .create = lfs_create,
    .read = lfs_read,
    .write = lfs_write,
    .statfs = lfs_statfs,
    .release = lfs_release,
    .fsync = lfs_fsync,
    .opendir = lfs_opendir,
    .readdir = lfs_readdir,
    .releasedir = lfs_releasedir,
    .fsyncdir = lfs_fsyncdir,
    .access = lfs_access,
    .fallocate = lfs_fallocate,
    .lseek = lfs_lseek,
};

static int usage(void) {
  fprintf(stderr, "usage: lossyfs BACKING MOUNTPOINT [--fsync-lies] [--writeback-ms N]\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 3) return usage();
  const char *backing = argv[1], *mountpoint = argv[2];
  for (int i = 3; i < argc; i++) {
    if (!strcmp(argv[i], "--fsync-lies")) fsync_lies = 1;
    else if (!strcmp(argv[i], "--writeback-ms") && i + 1 < argc) {
      char *end;
      writeback_ms = strtol(argv[++i], &end, 10);
      if (*end || writeback_ms < 0) return usage();
    } else return usage();
  }
  backing_fd = open(backing, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (backing_fd < 0) {
    perror(backing);
    return 1;
  }
  umask(0);
  char *fargv[] = {argv[0], (char *)mountpoint, "-f", "-o", "allow_other,fsname=lossyfs,subtype=lossyfs,max_threads=16", NULL};
  return fuse_main(5, fargv, &ops, NULL);
}
