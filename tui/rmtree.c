/*
 * rmtree: removing a tree without following links; see rmtree.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/rmtree.h"

const char *
rmtree_refuses(const char *cwd, const char *path)
{
	char base[LISTING_NAME_MAX], joined[FS_PATH_MAX], abs[FS_PATH_MAX];
	size_t n;

	fs_basename(path, base, sizeof(base));
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return "refusing to remove . or ..";
	if (fs_join(cwd, path, joined, sizeof(joined)) < 0 ||
	    fs_normalize(joined, abs, sizeof(abs)) < 0)
		return "path too long";
	if (strcmp(abs, "/") == 0)
		return "refusing to remove /";
	n = strlen(abs);
	if (strncmp(cwd, abs, n) == 0 && (cwd[n] == '\0' || cwd[n] == '/'))
		return "refusing to remove the current folder or one above it";
	return NULL;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct listing_entry *)a)->name,
	    ((const struct listing_entry *)b)->name);
}

/* Empties the folder path (depth levels below the top), then removes it. */
static unsigned
remove_folder(struct fs *fs, const char *path, unsigned depth,
    const struct rmtree_cb *cb)
{
	struct listing_entry *v;
	char err[1024], child[FS_PATH_MAX];
	unsigned bad = 0;
	size_t n, i;

	if (depth > RMTREE_DEPTH_MAX) {
		cb->failed(cb->arg, path, "too many levels of folders");
		return 1;
	}
	if (fs_list(fs, path, &v, &n, err, sizeof(err)) != FS_OK) {
		cb->failed(cb->arg, path, err);
		return 1;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_name);
	for (i = 0; i < n; i++) {
		if (fs_join(path, v[i].name, child, sizeof(child)) < 0) {
			cb->failed(cb->arg, v[i].name, "path too long");
			bad++;
			continue;
		}
		/* A link shown as a folder goes here as a file. */
		if (fs_remove(fs, child, err, sizeof(err)) == FS_OK)
			cb->removed(cb->arg, child, 0);
		else if (v[i].type == LISTING_DIR)
			bad += remove_folder(fs, child, depth + 1, cb);
		else {
			cb->failed(cb->arg, child, err);
			bad++;
		}
	}
	free(v);
	if (bad > 0)
		return bad;
	if (fs_rmdir(fs, path, err, sizeof(err)) != FS_OK) {
		cb->failed(cb->arg, path, err);
		return 1;
	}
	cb->removed(cb->arg, path, 1);
	return 0;
}

unsigned
rmtree(struct fs *fs, const char *path, const struct rmtree_cb *cb)
{
	struct listing_entry e;
	char err[1024], e2[256];

	if (fs_remove(fs, path, err, sizeof(err)) == FS_OK) {
		cb->removed(cb->arg, path, 0);
		return 0;
	}
	/* Not removed as a file: a folder (stat follows links, but a link
	 * would have gone above), or the reason stands. */
	if (fs_stat(fs, path, &e, e2, sizeof(e2)) != FS_OK ||
	    e.type != LISTING_DIR) {
		cb->failed(cb->arg, path, err);
		return 1;
	}
	return remove_folder(fs, path, 0, cb);
}
