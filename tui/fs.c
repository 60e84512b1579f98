/*
 * fs: the path helpers both sides of the fs interface share, and the
 * calls of its optional ops; see fs.h. Nothing here touches a file system
 * itself.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "proto/util.h"
#include "tui/fs.h"

int
fs_join(const char *dir, const char *name, char *out, size_t len)
{
	size_t dl = strlen(dir);
	int n;

	if (name[0] == '/')
		n = snprintf(out, len, "%s", name);
	else if (name[0] == '\0')
		n = snprintf(out, len, "%s", dir);
	else if (dl == 0)
		n = snprintf(out, len, "%s", name);
	else
		n = snprintf(out, len, "%s%s%s", dir,
		    dir[dl - 1] == '/' ? "" : "/", name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
fs_normalize(const char *path, char *out, size_t len)
{
	const char *p = path, *seg;
	size_t o = 0, sl;

	if (path[0] != '/' || len < 2)
		return -1;
	out[o++] = '/';
	while (*p != '\0') {
		while (*p == '/')
			p++;
		seg = p;
		sl = strcspn(p, "/");
		p += sl;
		if (sl == 0 || (sl == 1 && seg[0] == '.'))
			continue;
		if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
			/* Back to the previous '/' (the root stays). */
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
			continue;
		}
		if (o > 1) {
			if (o + 1 >= len)
				return -1;
			out[o++] = '/';
		}
		if (o + sl >= len)
			return -1;
		memcpy(out + o, seg, sl);
		o += sl;
	}
	out[o] = '\0';
	return 0;
}

const char *
fs_basename(const char *path, char *buf, size_t len)
{
	size_t end = strlen(path), start;

	if (len == 0)
		return buf;
	while (end > 1 && path[end - 1] == '/')
		end--;
	if (end == 1 && path[0] == '/') {
		snprintf(buf, len, "/");
		return buf;
	}
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	snprintf(buf, len, "%.*s", (int)(end - start), path + start);
	return buf;
}

const char *
fs_dirname(const char *path, char *buf, size_t len)
{
	size_t end = strlen(path);

	if (len == 0)
		return buf;
	while (end > 1 && path[end - 1] == '/')
		end--;
	while (end > 0 && path[end - 1] != '/')
		end--;
	if (end == 0) {
		snprintf(buf, len, ".");
		return buf;
	}
	while (end > 1 && path[end - 1] == '/')
		end--;
	snprintf(buf, len, "%.*s", (int)end, path);
	return buf;
}

void
fs_free(struct fs *fs)
{
	if (fs != NULL)
		fs->ops->free(fs);
}

int
fs_settime(struct fs *fs, const char *path, time_t mtime, char *err,
    size_t errlen)
{
	if (fs->ops->settime == NULL) {
		set_err(err, errlen, "%s: this side cannot set times", path);
		return FS_NOTSUP;
	}
	return fs->ops->settime(fs, path, mtime, err, errlen);
}

int
fs_gettime(struct fs *fs, const char *path, time_t *mtime, char *err,
    size_t errlen)
{
	if (fs->ops->gettime == NULL) {
		set_err(err, errlen, "%s: this side cannot tell times", path);
		return FS_NOTSUP;
	}
	return fs->ops->gettime(fs, path, mtime, err, errlen);
}

int
fs_chmod(struct fs *fs, const char *path, unsigned mode, char *err,
    size_t errlen)
{
	if (fs->ops->chmod == NULL) {
		set_err(err, errlen, "%s: this side cannot set modes", path);
		return FS_NOTSUP;
	}
	return fs->ops->chmod(fs, path, mode & 07777, err, errlen);
}
