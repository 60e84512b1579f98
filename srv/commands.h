/*
 * commands: the table of FTP verbs burrowd understands. Each verb appears
 * once, with what it needs (login, an argument) and its handler. Handlers
 * live in cmd_*.c by kind; each sends its own replies and returns 0, or -1
 * when the session must end (the control connection failed).
 */
#ifndef BURROW_COMMANDS_H
#define BURROW_COMMANDS_H

struct session;

#define CMD_NEEDLOGIN	0x01	/* 530 before login */
#define CMD_NEEDARG	0x02	/* 501 without an argument */
#define CMD_KEEPRNFR	0x04	/* does not cancel a pending RNFR */
#define CMD_KEEPREST	0x08	/* does not cancel a pending REST */

typedef int (*cmd_fn)(struct session *s, char *arg);

struct command {
	const char	*verb;
	unsigned	 flags;
	cmd_fn		 fn;
	const char	*help;	/* usage shown by HELP verb */
};

/* The entry for verb (upper case), or NULL. */
const struct command *commands_find(const char *verb);

/* HELP: the list of verbs, or one verb's usage. */
int cmd_help(struct session *s, char *arg);

/* cmd_login.c */
int cmd_user(struct session *s, char *arg);
int cmd_pass(struct session *s, char *arg);
int cmd_quit(struct session *s, char *arg);
/* A PASS whose password was right, once it holds a place. */
int cmd_pass_seated(struct session *s);
/* The reply to a failed PASS, once its delay has passed. */
int cmd_pass_delayed(struct session *s);

/* cmd_info.c */
int cmd_noop(struct session *s, char *arg);
int cmd_syst(struct session *s, char *arg);
int cmd_feat(struct session *s, char *arg);
int cmd_opts(struct session *s, char *arg);
int cmd_stat(struct session *s, char *arg);
int cmd_type(struct session *s, char *arg);
int cmd_mode(struct session *s, char *arg);
int cmd_stru(struct session *s, char *arg);

/* cmd_tls.c */
int cmd_auth(struct session *s, char *arg);
int cmd_pbsz(struct session *s, char *arg);
int cmd_prot(struct session *s, char *arg);

/* cmd_quota.c */
int cmd_allo(struct session *s, char *arg);
int cmd_avbl(struct session *s, char *arg);
/* SITE QUOTA (arg ""). */
int site_quota(struct session *s, char *arg);

/* cmd_site.c: SITE, handing "<sub-command> <rest>" to the sub-command. */
int cmd_site(struct session *s, char *arg);

/* cmd_fs.c */
int cmd_pwd(struct session *s, char *arg);
int cmd_cwd(struct session *s, char *arg);
int cmd_cdup(struct session *s, char *arg);
int cmd_mkd(struct session *s, char *arg);
int cmd_rmd(struct session *s, char *arg);
int cmd_dele(struct session *s, char *arg);
int cmd_rnfr(struct session *s, char *arg);
int cmd_rnto(struct session *s, char *arg);
int cmd_size(struct session *s, char *arg);
int cmd_mdtm(struct session *s, char *arg);
int cmd_mfmt(struct session *s, char *arg);
/* SITE CHMOD; arg is "<octal mode> <path>". */
int site_chmod(struct session *s, char *arg);
int cmd_mlst(struct session *s, char *arg);

/* cmd_xfer.c */
int cmd_rest(struct session *s, char *arg);
int cmd_retr(struct session *s, char *arg);
int cmd_stor(struct session *s, char *arg);
int cmd_appe(struct session *s, char *arg);
int cmd_list(struct session *s, char *arg);
int cmd_nlst(struct session *s, char *arg);
int cmd_mlsd(struct session *s, char *arg);
int cmd_abor(struct session *s, char *arg);

/* cmd_hash.c: HASH, RANG (for HASH) and OPTS HASH <rest>. */
int cmd_hash(struct session *s, char *arg);
int cmd_rang(struct session *s, char *arg);
int hash_opts(struct session *s, const char *rest);

/* cmd_list.c: the listing shared by LIST, NLST, MLSD and STAT path. */
enum list_style { LIST_LONG, LIST_NAMES, LIST_FACTS };

/*
 * Builds the listing of vpath (a directory's entries, or the one entry
 * when vpath is not a directory) as CRLF lines in a malloc'd buffer.
 * Returns it with *len set, or NULL with errno set.
 */
char *list_build(struct session *s, const char *vpath, enum list_style style,
    size_t *len);

#endif
