/*
 * quota: one record per user, shared by all of that user's sessions, that
 * keeps the total size of the regular files in the home ("used") against a
 * limit. Usage is measured by walking the home when the first session of
 * the user logs in; from then on every operation that changes a file's size
 * goes through this module under the record's lock, so the record stays
 * equal to a fresh walk whatever the sessions do at the same time:
 *
 *   quota_write     appends or overwrites bytes in an open file, charging
 *                   only its growth and writing only what fits;
 *   quota_truncate  shortens a file (REST+STOR), crediting what it drops;
 *   quota_unlink    DELE, crediting the file's size;
 *   quota_rename    RNFR/RNTO and committing a replacement upload,
 *                   crediting a regular file that the rename replaces.
 *
 * A limit of 0 means unlimited (usage is still kept). A file with several
 * names in the home (hard links, which FTP cannot make) counts once per
 * name when measured but is charged once when it grows.
 */
#ifndef BURROW_QUOTA_H
#define BURROW_QUOTA_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct quota;
struct quota_table;

struct pgdb;

struct quota_table *quota_table_new(void);
void quota_table_free(struct quota_table *t);

/*
 * Keeps the usage of every user in PostgreSQL (srv/pgquota.h) instead of
 * this process, so that all nodes on the database share it exactly. node
 * names this process in lease rows; a lease lives lease_secs unless
 * quota_heartbeat() renews it. Called once, before any record exists.
 * Shared, a write reserves before it grows a file and fails with EIO
 * (nothing written) when the database cannot be reached.
 */
void quota_table_share(struct quota_table *t, struct pgdb *pg,
    const char *node, int lease_secs);

/*
 * Shared: renews this node's leases and gives back the reservations of
 * every expired lease (a node that died). Call about once a second.
 */
void quota_heartbeat(struct quota_table *t);

/*
 * Shared: gives back what q reserved and did not write (an upload ended).
 * Nothing otherwise.
 */
void quota_release(struct quota *q);

/*
 * The record of user, created on first use by measuring the home rootfd.
 * Holds a reference; give it back with quota_put(). limit is the limit of
 * a new record; an existing one keeps its own (quota_set_limit() changes
 * it when the users file is reloaded). Returns NULL with errno
 * if the home cannot be measured.
 */
struct quota *quota_get(struct quota_table *t, const char *user,
    uint64_t limit, int rootfd);

/*
 * quota_get, refused with errno EUSERS when the record already has
 * max_refs references (max_sessions_per_user; 0: no limit).
 */
struct quota *quota_get_limited(struct quota_table *t, const char *user,
    uint64_t limit, int rootfd, unsigned max_refs);
void quota_put(struct quota_table *t, struct quota *q);

/* Sets the limit of user's record if there is one (users file reloaded). */
void quota_set_limit(struct quota_table *t, const char *user, uint64_t limit);

/* Bytes in use and the limit (0: unlimited), read together. */
void quota_usage(struct quota *q, uint64_t *used, uint64_t *limit);

/*
 * Bytes that may still be stored: limit - used, 0 when over, UINT64_MAX
 * when unlimited.
 */
uint64_t quota_available(struct quota *q);

/*
 * Writes up to n bytes of buf to fd at its current offset (the file may be
 * O_APPEND), charging the file's growth. credit is an allowance for a
 * replacement upload: the size of the file it will replace, which leaves
 * the home when it is committed. Writes only the bytes that fit; returns
 * how many were written (< n means the quota is reached: errno EDQUOT), or
 * -1 with errno for a write error. A file that has been unlinked meanwhile
 * is limited but not charged, unless flags has QUOTA_TMPFILE.
 */
ssize_t quota_write(struct quota *q, int fd, const void *buf, size_t n,
    uint64_t credit, int flags);

/* quota_write flags */
#define QUOTA_TMPFILE	0x01	/* fd is an O_TMPFILE upload: charge it though unlinked */

/*
 * Truncates fd to length, crediting what it drops; growth beyond the limit
 * is refused with EDQUOT. Returns 0 or -1.
 */
int quota_truncate(struct quota *q, int fd, off_t length);

/* unlinkat(dfd, name, 0), crediting the file's size. Returns 0 or -1. */
int quota_unlink(struct quota *q, int dfd, const char *name);

/*
 * renameat(fdfd, from, tdfd, to), crediting a regular file at `to` that the
 * rename replaces. With check set, refuses (EDQUOT, nothing renamed) when
 * the usage after the rename would be above the limit: used to commit a
 * replacement upload whose allowance went stale. Returns 0 or -1.
 */
int quota_rename(struct quota *q, int fdfd, const char *from, int tdfd,
    const char *to, int check);

/*
 * Gives back the charge of an O_TMPFILE upload that will never be linked
 * (a failed replacement): credits its size. fd stays open.
 */
void quota_discard(struct quota *q, int fd);

/*
 * Total size of the regular files below the directory dfd (symlinks not
 * followed, a hard link counted once per name), at any depth: the walk
 * holds one descriptor at a time and keeps in memory only one frame per
 * level and the names of the folders not yet visited. Returns 0 and sets
 * *total, or -1 with errno if any folder cannot be read (an undercount
 * would let the user pass the quota), and ESTALE if a folder was moved
 * during the walk so that ".." no longer leads back the way it came.
 */
int quota_measure(int dfd, uint64_t *total);

/*
 * Whether the directory dfd holds a folder more than levels below it (its
 * own subfolders are 1 level below), found by the same walk: returns 1 if
 * so, 0 if not, or -1 with errno if a folder cannot be read. Used to keep
 * RNTO of a folder within max_depth; it stops at the first folder too deep.
 */
int quota_deeper_than(int dfd, unsigned levels);

#endif
