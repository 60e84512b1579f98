/*
 * cmd_quota: what the user may still store. ALLO refuses a size that cannot
 * fit before any data moves; AVBL (draft-peterson-streamlined-ftp-command-
 * extensions) tells the bytes available; SITE QUOTA tells usage and limit
 * in readable units.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "proto/reply.h"
#include "proto/util.h"
#include "srv/commands.h"
#include "srv/jail.h"
#include "srv/metrics.h"
#include "srv/quota.h"
#include "srv/server.h"
#include "srv/session.h"

/* What may still be stored: the quota's room, bounded by the disk's. */
static uint64_t
available(struct session *s)
{
	struct statvfs sv;
	uint64_t room = quota_available(s->quota), disk;

	if (fstatvfs(s->rootfd, &sv) == 0) {
		disk = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
		if (disk < room)
			room = disk;
	}
	return room;
}

int
cmd_allo(struct session *s, char *arg)
{
	char num[24], have[32], want[32];
	long long n;
	size_t len = strcspn(arg, " ");
	uint64_t room;

	/* "ALLO <size> [R <record size>]": only the size matters here. */
	if (len >= sizeof(num))
		len = sizeof(num) - 1;
	memcpy(num, arg, len);
	num[len] = '\0';
	if (parse_num(num, 0, LLONG_MAX, &n, NULL) == -1)
		return session_reply(s, FTP_BADARG, "ALLO needs a size in bytes.");
	room = available(s);
	if ((uint64_t)n > room) {
		metrics_count(&s->srv->metrics, MC_QUOTA_REFUSALS);
		format_size((uint64_t)n, want, sizeof(want));
		format_size(room, have, sizeof(have));
		return session_reply(s, FTP_QUOTA, "Cannot allocate %s: only %s "
		    "available.", want, have);
	}
	return session_reply(s, FTP_OK, "ALLO ok: %lld bytes fit.", n);
}

int
cmd_avbl(struct session *s, char *arg)
{
	char vpath[VPATH_MAX];
	struct stat st;

	if (arg != NULL && *arg != '\0') {
		if (session_path(s, arg, vpath, sizeof(vpath)) == -1)
			return 0;
		if (jail_stat(s->rootfd, vpath, &st) == -1)
			return session_reply_errno(s, FTP_FILEFAIL, "AVBL", errno);
		if (!S_ISDIR(st.st_mode))
			return session_reply(s, FTP_FILEFAIL, "AVBL: not a "
			    "directory.");
	}
	return session_reply(s, FTP_STATFILE, "%ju", (uintmax_t)available(s));
}

int
site_quota(struct session *s, char *arg)
{
	char used[32], limit[32], room[32];
	uint64_t u, l;

	(void)arg;
	quota_usage(s->quota, &u, &l);
	format_size(u, used, sizeof(used));
	if (l == 0)
		return session_reply(s, FTP_OK, "Quota of %s: %s used (%ju bytes), "
		    "no limit.", s->user, used, (uintmax_t)u);
	format_size(l, limit, sizeof(limit));
	format_size(l > u ? l - u : 0, room, sizeof(room));
	return session_reply(s, FTP_OK, "Quota of %s: %s used of %s, %s "
	    "available (%ju of %ju bytes).", s->user, used, limit, room,
	    (uintmax_t)u, (uintmax_t)l);
}
