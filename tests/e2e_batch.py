"""
e2e_batch: `burrow --batch` against a real burrowd, over FTP and FTPS.

Covered: every batch command (ls pwd cd lcd lpwd mkdir rmdir rm rename get
put hash quota chmod lchmod mirror help exit) and its failure path;
mirror both ways (byte-identical trees, times kept, a second run with
nothing to do), --delete removing only what its plan listed and on the
target only, --dry-run changing nothing, --checksum finding a same-size,
same-time difference, an entry of another type kept or replaced,
--time-offset for a server without MDTM listing in its own zone; wildcards in
get, put, rm, chmod and lchmod; chmod refused (bad modes, the server's
mask, links, SITE CHMOD disabled or unknown); rm -r (links removed, not followed; /, . and .. refused); the exit
status; the transfer script (fresh, resumed and skipped downloads, resumed upload,
recursive get and put) over FTP and FTPS; a partial copy that is not the
source's beginning sent again in full; a full quota's 552 keeping the
partial upload; the password from the URL, BURROW_PASSWORD, ~/.netrc (one
its group or others may read refused, a mistake named by line) and a terminal
prompt without echo; a wrong password; trust on first use (pinned in
known_hosts, 0600, matched the next time, a changed certificate refused,
--insecure, --cafile); a dropped control connection mended; IPv6; the
progress line on a terminal, with its percentage; modification times kept
both ways (MFMT, SITE UTIME, MDTM to read one), a refused or impossible
time set being no failure; `burrow --batch NAME` with a site of
sites.conf (its user, folders, TLS and CA file; $XDG_CONFIG_HOME), an
unknown name (exit 2, the sites listed) and mistakes in sites.conf and
burrow.conf (exit 2, file:line).
"""
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HOST, Server, run, test, wait_until  # noqa: E402
from fake_ftpd import FakeFtpd  # noqa: E402
from batchlib import (BURROW, burrow, folders, mirror_script, ok,  # noqa: E402,E501
                      plant, read, same_times, sha, times, transfer_script,
                      utc, write)
from batchlib import tree as files_of  # noqa: E402

USERS = {"harry": "pw", "beal": "s3cret"}


def url(srv, user="harry", scheme="ftp", path="", password=True, host=HOST):
    pw = ":" + srv.users[user] if password else ""
    return "%s://%s%s@%s:%d/%s" % (scheme, user, pw, host, srv.port, path)


def tmp():
    return tempfile.mkdtemp(prefix="burrow-batch-")


@test
def transfers_plain():
    with Server(users=USERS) as srv:
        transfer_script(url(srv), srv.home("harry"))


@test
def transfers_tls():
    with Server(users=USERS, tls={"require": True}) as srv:
        local = transfer_script(url(srv, scheme="ftps"), srv.home("harry"),
                                args=("--cafile", srv.cert))
        # ftp:// with --tls is the same thing.
        r = ok(burrow(url(srv), "ls\n", local, args=("--tls", "--insecure")))
        assert "big.bin" in r.out, r


@test
def every_command():
    with Server(users=USERS, quotas={"harry": "1M"}) as srv:
        h = srv.home("harry")
        write(os.path.join(h, "a.txt"), b"hello\n")
        write(os.path.join(h, "docs", "in.txt"), b"inside")
        local = tmp()
        os.mkdir(os.path.join(local, "sub"))
        write(os.path.join(local, "sub", "l.txt"), b"local file")
        script = """
# a comment, then a blank line

pwd
ls
mkdir "new dir"
cd "new dir"
pwd
cd ..
lpwd
lcd sub
lpwd
put l.txt
rename l.txt renamed.txt
get a.txt
hash a.txt
quota
rm renamed.txt
rmdir "new dir"
ls docs
help
exit
pwd
"""
        r = ok(burrow(url(srv), script, local))
        lines = r.out.splitlines()
        assert lines[0] == "/", r
        assert any(l.startswith("f ") and l.endswith(" a.txt")
                   for l in lines), r
        assert any(l.startswith("d ") and l.endswith(" docs")
                   for l in lines), r
        assert "/new dir" in lines, r
        assert local in lines and os.path.join(local, "sub") in lines, r
        assert read(os.path.join(local, "sub", "a.txt")) == b"hello\n", r
        assert ("SHA-256 %s a.txt" % sha(os.path.join(h, "a.txt"))) in lines, r
        assert any(l.endswith("bytes available (1016.0 KiB)") or
                   "bytes available" in l for l in lines), r
        assert any(l.endswith(" in.txt") for l in lines), r
        assert "get remote [local]" in r.out, r
        assert "take wildcards" in r.out and "rm [-r] path" in r.out, r
        assert "chmod mode path" in r.out and "lchmod mode path" in r.out, r
        # exit stops: the last pwd never ran (one "/" from the first).
        assert lines.count("/") == 1, r
        assert not os.path.exists(os.path.join(h, "new dir")), r
        assert not os.path.exists(os.path.join(h, "renamed.txt")), r
        assert not os.path.exists(os.path.join(h, "l.txt")), r


@test
def name_with_iac_byte():
    # 0xFF is Telnet's IAC: sent alone, the server drops it and the byte
    # after it ("badtf.txt"); doubled (RFC 959, 2640) it arrives whole.
    with Server(users=USERS) as srv:
        h = os.fsencode(srv.home("harry"))
        local = tmp()
        name = b"bad\xffutf.txt"
        write(os.path.join(os.fsencode(local), name), b"iac\n")
        r = ok(burrow(url(srv), b"put " + name + b"\nmkdir d\xffir\n"
                      b"cd d\xffir\npwd\ncd ..\nls\nrm " + name + b"\n"
                      b"put " + name + b" c\xff\xff.txt\n"
                      b"get c\xff\xff.txt\n", local))
        assert sorted(os.listdir(h)) == [b"c\xff\xff.txt", b"d\xffir"], r
        assert read(os.path.join(h, b"c\xff\xff.txt")) == b"iac\n", r
        assert read(os.path.join(os.fsencode(local),
                                 b"c\xff\xff.txt")) == b"iac\n", r
        # PWD's reply names the folder: burrowd sends the byte undoubled,
        # which burrow takes as the byte itself.
        assert "/d\ufffdir" in r.out.splitlines(), r
        assert " bad\ufffdutf.txt" in r.out, r
        assert r.out.count("verified") == 3, r


@test
def control_bytes_in_names():
    # Listed (as "?"), removable and fetched; never sent to the terminal.
    with Server(users=USERS) as srv:
        h = os.fsencode(srv.home("harry"))
        write(os.path.join(h, b"ctl\x01x.txt"), b"ctl")
        write(os.path.join(h, b"esc\x1b[2J.txt"), b"esc")
        local = tmp()
        write(os.path.join(os.fsencode(local), b"up\x07.txt"), b"up")
        r = ok(burrow(url(srv), b"ls\nget esc\x1b[2J.txt\nrm ctl\x01x.txt\n"
                      b"put up\x07.txt\nls\n", local))
        lines = r.out.splitlines()
        assert any(l.startswith("f ") and l.endswith(" ctl?x.txt")
                   for l in lines), r
        assert any(l.endswith(" esc?[2J.txt") for l in lines), r
        assert any(l.endswith(" up?.txt") for l in lines), r
        assert r.err == "", r
        assert "\x1b" not in r.out + r.err and "\x07" not in r.out, r
        assert r.out.count("verified") == 2, r
        assert sorted(os.listdir(h)) == [b"esc\x1b[2J.txt", b"up\x07.txt"], r
        assert read(os.path.join(os.fsencode(local),
                                 b"esc\x1b[2J.txt")) == b"esc", r


@test
def a_failure_names_the_file_once():
    # "dangling -> /dangling: /tmp/.../dangling: No such file or directory"
    with Server(users=USERS) as srv:
        local = tmp()
        os.symlink(os.path.join(local, "nowhere"),
                   os.path.join(local, "dangling"))
        r = burrow(url(srv), "put dangling\n", local)
        assert r.rc == 1, r
        assert r.err == "burrow: put dangling: dangling -> /dangling: No such "\
            "file or directory\n", r


@test
def failures_go_on_and_set_status():
    with Server(users=USERS) as srv:
        write(os.path.join(srv.home("harry"), "a.txt"), b"x")
        local = tmp()
        r = burrow(url(srv), "cd nowhere\nbogus\nget missing.bin\n"
                   "rmdir a.txt\nrm nothing\nrename no such\nput "
                   "nolocal\nls\nget a.txt\nlcd /no/such/dir\n"
                   "mkdir \"unclosed\n", local)
        assert r.rc == 1, r
        assert "f            1 " in r.out, r     # ls still ran
        assert read(os.path.join(local, "a.txt")) == b"x", r
        err = r.err
        assert "burrow: cd nowhere: 550" in err, r
        assert "burrow: bogus: unknown command" in err, r
        # Said plainly (it was "550 Cannot list: No such file or ...").
        assert "burrow: get missing.bin: missing.bin -> %s: no such file " \
            "or folder on the server\n" % os.path.join(local,
                                                      "missing.bin") in err, r
        assert "burrow: rm nothing: 550" in err, r
        assert "burrow: rename no such: 550" in err, r
        assert "burrow: put nolocal: nolocal -> /nolocal: No such file or " \
            "directory\n" in err, r
        assert "burrow: lcd /no/such/dir:" in err, r
        assert "unclosed quote" in err, r
        # All commands fine: status 0.
        ok(burrow(url(srv), "pwd\nls\n", local))
        # Wrong arity is a failure too.
        assert burrow(url(srv), "rename a\n", local).rc == 1


@test
def partial_copy_that_differs_is_sent_again():
    with Server(users=USERS) as srv:
        data = os.urandom(500000)
        write(os.path.join(srv.home("harry"), "f.bin"), data)
        local = tmp()
        # A shorter local file that is not the beginning of f.bin.
        write(os.path.join(local, "f.bin"), os.urandom(100000))
        r = ok(burrow(url(srv), "get f.bin\n", local))
        assert read(os.path.join(local, "f.bin")) == data, r
        assert "differed" in r.out and "SHA-256" in r.out, r
        # Same for an upload.
        up = os.urandom(300000)
        write(os.path.join(local, "u.bin"), up)
        write(os.path.join(srv.home("harry"), "u.bin"), os.urandom(1000))
        r = ok(burrow(url(srv), "put u.bin\n", local))
        assert read(os.path.join(srv.home("harry"), "u.bin")) == up, r


@test
def resume_hashes_the_kept_part_beside_the_rest():
    """A resumed download hashes the local part it keeps while the rest
    arrives, and asks the server for one whole-file HASH afterwards: no
    RANG before, no second pass over the local file."""
    with Server(users=USERS) as srv:
        data = os.urandom(3 * 1024 * 1024 + 5)
        write(os.path.join(srv.home("harry"), "f.bin"), data)
        local = tmp()
        write(os.path.join(local, "f.bin"), data[:1234567])
        r = ok(burrow(url(srv), "get f.bin\n", local))
        assert read(os.path.join(local, "f.bin")) == data, r
        assert "resumed, verified by SHA-256" in r.out, r
        hashes = [l for l in srv.log().splitlines() if " HASH " in l]
        assert len(hashes) == 1, hashes
        assert hashes[0].endswith("f.bin 0-%d" % (len(data) - 1)), hashes
        # An upload resumed from a part on the server: the part there is
        # checked first (a server cannot be cut back), the local source
        # is read once.
        up = os.urandom(2 * 1024 * 1024)
        write(os.path.join(local, "u.bin"), up)
        write(os.path.join(srv.home("harry"), "u.bin"), up[:700000])
        r = ok(burrow(url(srv), "put u.bin\n", local))
        assert read(os.path.join(srv.home("harry"), "u.bin")) == up, r
        assert "resumed, verified by SHA-256" in r.out, r


@test
def same_size_different_content_is_overwritten():
    with Server(users=USERS) as srv:
        data = os.urandom(4096)
        write(os.path.join(srv.home("harry"), "f.bin"), data)
        local = tmp()
        write(os.path.join(local, "f.bin"), os.urandom(4096))
        r = ok(burrow(url(srv), "get f.bin\n", local))
        assert read(os.path.join(local, "f.bin")) == data, r
        assert "skipped" not in r.out, r


@test
def quota_full_keeps_partial_upload():
    with Server(users=USERS, quotas={"harry": "100K"}) as srv:
        local = tmp()
        data = os.urandom(300 * 1024)
        write(os.path.join(local, "big.bin"), data)
        r = burrow(url(srv), "put big.bin\nquota\n", local)
        assert r.rc == 1 and "552" in r.err, r
        kept = read(os.path.join(srv.home("harry"), "big.bin"))
        assert 0 < len(kept) <= 100 * 1024 and data.startswith(kept), r
        assert "0 bytes available" in r.out, r


@test
def passwords():
    with Server(users=USERS) as srv:
        local = tmp()
        u = url(srv, user="beal", password=False)
        ok(burrow(u, "pwd\n", local, env={"BURROW_PASSWORD": "s3cret"}))
        r = burrow(u, "pwd\n", local, env={"BURROW_PASSWORD": "wrong"})
        assert r.rc == 1 and "login as beal failed" in r.err, r
        # No password and no terminal: a clear refusal.
        p = subprocess.run([BURROW, "--batch", u], input=b"pwd\n",
                           capture_output=True, timeout=30,
                           start_new_session=True,
                           env={k: v for k, v in os.environ.items()
                                if k != "BURROW_PASSWORD"})
        assert p.returncode == 1 and b"no password" in p.stderr, p


def netrc(home, text, mode=0o600):
    path = os.path.join(home, ".netrc")
    write(path, text.encode())
    os.chmod(path, mode)
    return path


@test
def netrc_gives_the_password():
    """A URL without a password takes it from ~/.netrc, by host and login;
    without a user in the URL, the entry's login too; BURROW_PASSWORD
    still wins; macros and the default entry are read past."""
    with Server(users=USERS) as srv:
        local = tmp()
        netrc(local, "# mine\nmachine other login beal password no\n"
              "machine %s login harry password pw\n"
              "macdef init\nmachine %s login beal password bad\n\n"
              "machine %s login beal password \"s3cret\"\n"
              "default login anonymous password x@\n" % (HOST, HOST, HOST))
        for user in ("harry", "beal"):
            r = ok(burrow(url(srv, user=user, password=False), "pwd\n",
                          local))
            assert r.err == "", r
        r = ok(burrow("ftp://%s:%d/" % (HOST, srv.port), "lpwd\nls\n",
                      local))
        r = burrow(url(srv, user="beal", password=False), "pwd\n", local,
                   env={"BURROW_PASSWORD": "wrong"})
        assert r.rc == 1 and "login as beal failed" in r.err, r


@test
def netrc_readable_by_others_is_refused():
    """A ~/.netrc that its group or others may read or write is not used,
    and the error says which file and how to mend it; a mistake in it is
    named by file and line."""
    with Server(users=USERS) as srv:
        local = tmp()
        path = netrc(local, "machine %s login harry password pw\n" % HOST,
                     0o644)
        u = url(srv, password=False)
        for mode in (0o644, 0o640, 0o602):
            os.chmod(path, mode)
            r = burrow(u, "pwd\n", local)
            assert r.rc == 1, r
            assert "%s: readable or writable by others" % path in r.err, r
            assert "chmod 600" in r.err, r
        netrc(local, "machine %s\n  login harry\n  pasword pw\n" % HOST)
        r = burrow(u, "pwd\n", local)
        assert r.rc == 1 and '%s:3: unknown word "pasword"' % path in r.err, r
        netrc(local, "machine %s login harry password pw\n" % HOST)
        ok(burrow(u, "pwd\n", local))


def sites_conf(home, text, xdg=None):
    d = os.path.join(xdg or os.path.join(home, ".config"), "burrow")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "sites.conf")
    write(path, text.encode())
    return path


@test
def site_by_name():
    """burrow --batch NAME opens the site of that name in sites.conf: its
    host, user, remote and local folders and TLS, the password from
    ~/.netrc; $XDG_CONFIG_HOME is where the file is when set."""
    with Server(users=USERS, tls={"require": True}) as srv:
        local = tmp()
        os.makedirs(os.path.join(srv.home("beal"), "pub"))
        write(os.path.join(srv.home("beal"), "pub", "f.txt"), b"site file")
        os.mkdir(os.path.join(local, "dl"))
        sites_conf(local, """# my servers
sites = (
  { name = "other"; url = "ftp://%s:%d"; user = "harry"; },
  { name = "work"; url = "ftp://%s:%d"; user = "beal";
    remote_dir = "pub"; local_dir = "~/dl"; tls = true;
    cafile = "%s"; parallel = 2; }
);
""" % (HOST, srv.port, HOST, srv.port, srv.cert))
        netrc(local, "machine %s login beal password s3cret\n" % HOST)
        r = ok(burrow("work", "pwd\nlpwd\nget f.txt\nquota\n", local))
        assert "/pub" in r.out and os.path.join(local, "dl") in r.out, r
        assert read(os.path.join(local, "dl", "f.txt")) == b"site file"
        # TLS was used (the server requires it), and no certificate was
        # pinned: the site's CA vouched for it.
        assert not os.path.exists(known_hosts(local)), r
        # XDG_CONFIG_HOME wins over HOME.
        xdg = tmp()
        sites_conf(local, "sites = ( { name = \"x\"; url = \"ftps://%s:%d\"; "
                   "user = \"harry\"; cafile = \"%s\"; } );\n"
                   % (HOST, srv.port, srv.cert), xdg=xdg)
        netrc(local, "machine %s login harry password pw\n" % HOST)
        ok(burrow("x", "pwd\n", local, env={"XDG_CONFIG_HOME": xdg}))
        r = burrow("x", "pwd\n", local)
        assert r.rc == 2 and "x: no such site" in r.err, r


@test
def site_password_from_a_netrc_others_may_read_is_refused():
    with Server(users=USERS) as srv:
        local = tmp()
        sites_conf(local, "sites = ( { name = \"s\"; url = \"ftp://%s:%d\"; "
                   "user = \"harry\"; } );\n" % (HOST, srv.port))
        path = netrc(local, "machine %s password pw\n" % HOST, 0o644)
        r = burrow("s", "pwd\n", local)
        assert r.rc == 1 and "readable or writable by others" in r.err, r
        assert path in r.err, r
        os.chmod(path, 0o600)
        ok(burrow("s", "pwd\n", local))


@test
def unknown_site_name():
    """A name that is no site: exit 2, the file named, its sites listed."""
    local = tmp()
    r = burrow("nowhere", "pwd\n", local)
    path = os.path.join(local, ".config", "burrow", "sites.conf")
    assert r.rc == 2, r
    assert "nowhere: no such site in %s (it has none)" % path in r.err, r
    sites_conf(local, "sites = ( { name = \"a\"; url = \"ftp://h\"; },\n"
               "  { name = \"b c\"; url = \"ftp://g\"; } );\n")
    r = burrow("nowhere", "pwd\n", local)
    assert r.rc == 2 and "its sites: a, b c)" in r.err, r
    assert "ftp://" in r.err, r


@test
def bad_sites_conf_line():
    """A mistake in sites.conf stops burrow with exit 2 and file:line."""
    local = tmp()
    path = sites_conf(local, "sites = (\n  { name = \"a\";\n"
                      "    url = \"ftp://h\";\n    passwd = \"x\"; }\n);\n")
    r = burrow("a", "pwd\n", local)
    assert r.rc == 2, r
    assert '%s:4: unknown setting "passwd"' % path in r.err, r
    for text, line, why in (
            ("sites = (\n { name = \"a\"; url = \"ftp://u:pw@h\"; } );\n",
             2, "passwords are not kept"),
            ("sites = (\n { name = \"a\"; url = \"ftp://h\"; },\n"
             " { name = \"a\"; url = \"ftp://g\"; } );\n", 3,
             'a second site named "a"'),
            ("sites = (\n { name = \"a\" url = ; } );\n", 2,
             "syntax error")):
        sites_conf(local, text)
        r = burrow("a", "pwd\n", local)
        assert r.rc == 2 and "%s:%d: " % (path, line) in r.err, r
        assert why in r.err, r
    # A URL does not read sites.conf at all.
    r = burrow("ftp://%s:1/" % HOST, "pwd\n", local)
    assert r.rc == 1, r


@test
def burrow_conf():
    """burrow.conf with every setting is read; a mistake stops burrow with
    exit 2 and file:line before it connects (--help still works)."""
    with Server(users=USERS) as srv:
        local = tmp()
        d = os.path.join(local, ".config", "burrow")
        os.makedirs(d)
        path = os.path.join(d, "burrow.conf")
        write(path, b"# mine\nparallel = 1;\ntimeout = 5;\n"
              b'sort = "time";\ntheme = "mono";\nconfirm_delete = true;\n')
        ok(burrow(url(srv), "pwd\n", local))
        # ": connected" alone: "disconnected" comes after burrow exits.
        logins = srv.log().count(": connected\n")
        for text, line, why in (
                (b"parallel = 2;\n\nparalel = 3;\n", 3,
                 'unknown setting "paralel"'),
                (b"keepalive = 100000;\n", 1, "keepalive: 0 to 86400"),
                (b"confirm_delete = yes;\n", 1, "syntax error")):
            write(path, text)
            r = burrow(url(srv), "pwd\n", local)
            assert r.rc == 2 and "%s:%d: %s" % (path, line, why) in r.err, r
            assert srv.log().count(": connected\n") == logins, srv.log()
        p = subprocess.run([BURROW, "--help"], capture_output=True,
                           timeout=10, env=dict(os.environ, HOME=local))
        assert p.returncode == 0 and b"burrow.conf" in p.stdout, p


@test
def put_with_a_pattern():
    """put *.txt: the matching files in name order, names with spaces too;
    a dot-file and other names left alone."""
    with Server(users=USERS) as srv:
        h = srv.home("harry")
        local = tmp()
        for name in ("b.txt", "a.txt", "my file.txt", ".hidden.txt",
                     "c.log"):
            write(os.path.join(local, name), name.encode())
        os.mkdir(os.path.join(local, "d.txt.dir"))
        r = ok(burrow(url(srv), "put *.txt\nput \"my *\" up\n", local))
        assert sorted(os.listdir(h)) == ["a.txt", "b.txt", "my file.txt",
                                         "up"], r
        for name in ("a.txt", "b.txt", "my file.txt"):
            assert read(os.path.join(h, name)) == name.encode(), r
        assert read(os.path.join(h, "up")) == b"my file.txt", r
        got = [l.split(" -> ")[0] for l in r.out.splitlines()]
        assert got == ["a.txt", "b.txt", "my file.txt", "my file.txt"], r
        assert r.out.count("verified") == 4, r


@test
def get_with_a_pattern_into_a_folder():
    with Server(users=USERS) as srv:
        h = srv.home("harry")
        for name in ("two.log", "one.log", "keep.txt", ".dot.log"):
            write(os.path.join(h, "logs", name), name.encode())
        local = tmp()
        os.mkdir(os.path.join(local, "into"))
        r = ok(burrow(url(srv), "get logs/*.log into\nget /logs/t?o.*\n",
                      local))
        assert sorted(os.listdir(os.path.join(local, "into"))) == \
            ["one.log", "two.log"], r
        assert read(os.path.join(local, "into", "one.log")) == b"one.log", r
        assert read(os.path.join(local, "two.log")) == b"two.log", r
        lines = r.out.splitlines()
        assert lines[0].startswith("logs/one.log -> "), r
        assert lines[1].startswith("logs/two.log -> "), r
        assert lines[2].startswith("/logs/two.log -> "), r
        # Several matches need a folder to go to.
        r = burrow(url(srv), "get logs/*.log nofolder\n", local)
        assert r.rc == 1, r
        assert "burrow: get logs/*.log nofolder: nofolder: not a folder, " \
            "and 2 names match logs/*.log\n" == r.err, r
        assert not os.path.exists(os.path.join(local, "nofolder")), r
        # One match may go to a new name.
        r = ok(burrow(url(srv), "get logs/o*.log single\n", local))
        assert read(os.path.join(local, "single")) == b"one.log", r
        # Wildcards before the last part: said, nothing done.
        r = burrow(url(srv), "get l*/one.log\n", local)
        assert r.rc == 1 and "l*/one.log: wildcards may only be in the " \
            "last part of a path" in r.err, r


@test
def rm_with_a_pattern():
    """rm *.tmp: each match removed and said, in name order; a folder
    among the matches is refused without stopping the others; a name with
    a '*' in it is taken as it is."""
    with Server(users=USERS) as srv:
        h = srv.home("harry")
        for name in ("y.tmp", "x.tmp", "z.txt", "a*b", "aXb", ".k.tmp"):
            write(os.path.join(h, name), b"t")
        os.mkdir(os.path.join(h, "m.tmp"))
        r = burrow(url(srv), "rm *.tmp\nrm a*b\n", tmp())
        assert r.rc == 1, r
        assert r.out == "x.tmp: removed\ny.tmp: removed\n", r
        assert r.err == "burrow: rm *.tmp: m.tmp: is a folder (use rm -r " \
            "or rmdir)\n", r
        assert sorted(os.listdir(h)) == [".k.tmp", "aXb", "m.tmp",
                                         "z.txt"], r


@test
def a_pattern_that_matches_nothing_fails():
    with Server(users=USERS) as srv:
        write(os.path.join(srv.home("harry"), "a.txt"), b"a")
        local = tmp()
        write(os.path.join(local, "l.txt"), b"l")
        r = burrow(url(srv), "rm *.zip\nget *.bin\nput *.zip\nls\n",
                   local)
        assert r.rc == 1, r
        assert r.err == "burrow: rm *.zip: no match for *.zip\n" \
            "burrow: get *.bin: no match for *.bin\n" \
            "burrow: put *.zip: no match for *.zip\n", r
        assert r.out.endswith(" a.txt\n"), r       # ls still ran
        # Three failures, counted as such: one more command fine is 0.
        assert ok(burrow(url(srv), "rm *.txt\n", local)).out == \
            "a.txt: removed\n"


def mode(path):
    return os.lstat(path).st_mode & 0o7777


@test
def chmod_remote_and_local():
    """chmod sets a remote mode (SITE CHMOD), lchmod a local one; a
    pattern's matches are each set and said, in name order."""
    with Server(users=USERS) as srv:
        h = srv.home("harry")
        for name in ("a.txt", "b.log", "c.log", "d/in.txt"):
            write(os.path.join(h, name), b"r")
            os.chmod(os.path.join(h, name), 0o644)
        local = tmp()
        for name in ("l.txt", "x.sh", "y.sh", "sp ace.txt"):
            write(os.path.join(local, name), b"l")
            os.chmod(os.path.join(local, name), 0o644)
        r = ok(burrow(url(srv), "chmod 600 a.txt\nchmod 0700 d\n"
                      "chmod 640 *.log\ncd d\nchmod 604 in.txt\n"
                      "lchmod 600 l.txt\nlchmod 755 *.sh\n"
                      "lchmod 0 'sp ace.txt'\n", local))
        assert r.out == "b.log: mode 0640\nc.log: mode 0640\n" \
            "x.sh: mode 0755\ny.sh: mode 0755\n", r
        assert r.err == "", r
        assert mode(os.path.join(h, "a.txt")) == 0o600
        assert mode(os.path.join(h, "d")) == 0o700
        assert mode(os.path.join(h, "b.log")) == 0o640
        assert mode(os.path.join(h, "c.log")) == 0o640
        assert mode(os.path.join(h, "d", "in.txt")) == 0o604
        assert mode(os.path.join(local, "l.txt")) == 0o600
        assert mode(os.path.join(local, "x.sh")) == 0o755
        assert mode(os.path.join(local, "y.sh")) == 0o755
        assert mode(os.path.join(local, "sp ace.txt")) == 0
        assert "SITE CHMOD 0600 /a.txt" in srv.log(), srv.log()


@test
def chmod_failures():
    """Bad modes, missing files, bits the server does not allow and
    links: each fails with its reason, the others still run, and the exit
    status says so."""
    with Server(users=USERS) as srv:
        h = srv.home("harry")
        write(os.path.join(h, "a.txt"), b"r")
        os.chmod(os.path.join(h, "a.txt"), 0o644)
        os.symlink("a.txt", os.path.join(h, "link"))
        local = tmp()
        write(os.path.join(local, "l.txt"), b"l")
        os.chmod(os.path.join(local, "l.txt"), 0o644)
        os.symlink("l.txt", os.path.join(local, "llink"))
        for line in ("chmod 9 a.txt", "chmod 12345 a.txt", "chmod -1 a.txt",
                     "chmod u+x a.txt", "chmod '' a.txt", "lchmod 8 l.txt",
                     "chmod 644", "lchmod 644 l.txt l.txt"):
            r = burrow(url(srv), line + "\n", local)
            assert r.rc == 1 and r.out == "", (line, r)
            assert r.err.startswith("burrow: %s: " % line), (line, r)
            assert "not a mode" in r.err or "wrong number" in r.err, r
        r = burrow(url(srv), "chmod 600 missing.txt\nlchmod 600 nope.txt\n"
                   "chmod 4755 a.txt\nchmod 777 link\nlchmod 777 llink\n"
                   "chmod 600 *.zip\nchmod 640 a.txt\n", local)
        assert r.rc == 1, r
        err = r.err.splitlines()
        assert len(err) == 6, r
        assert err[0].startswith("burrow: chmod 600 missing.txt: 550 "), r
        assert err[1].startswith("burrow: lchmod 600 nope.txt: ") and \
            "nope.txt: No such file" in err[1], r
        assert err[2].startswith("burrow: chmod 4755 a.txt: 550 ") and \
            "chmod_mask" in err[2], r
        assert err[3].startswith("burrow: chmod 777 link: 550 "), r
        assert err[4].startswith("burrow: lchmod 777 llink: ") and \
            "symbolic link" in err[4], r
        assert err[5] == "burrow: chmod 600 *.zip: no match for *.zip", r
        # The last one ran, and only it changed anything.
        assert mode(os.path.join(h, "a.txt")) == 0o640
        assert mode(os.path.join(local, "l.txt")) == 0o644
    with Server(users=USERS, site_chmod=False) as srv:
        write(os.path.join(srv.home("harry"), "a.txt"), b"r")
        os.chmod(os.path.join(srv.home("harry"), "a.txt"), 0o644)
        r = burrow(url(srv), "chmod 600 a.txt\n", tmp())
        assert r.rc == 1, r
        assert r.err == "burrow: chmod 600 a.txt: the server does not " \
            "offer SITE CHMOD (502 SITE CHMOD is not enabled on this " \
            "server.)\n", r
        assert mode(os.path.join(srv.home("harry"), "a.txt")) == 0o644


@test
def chmod_on_a_server_without_it():
    """A server that answers SITE CHMOD 502 is asked once: a pattern stops
    at its first match, and a later chmod is not sent."""
    root = tmp()
    for name in ("a.txt", "b.txt"):
        write(os.path.join(root, name), b"x")
        os.chmod(os.path.join(root, name), 0o644)
    with FakeFtpd(root) as s:
        r = burrow(s.url(), "chmod 600 *.txt\nchmod 600 a.txt\n", tmp())
        assert r.rc == 1, r
        assert r.out == "", r
        assert r.err == "burrow: chmod 600 *.txt: the server does not " \
            "offer SITE CHMOD (502 not here)\n" \
            "burrow: chmod 600 a.txt: the server does not offer SITE " \
            "CHMOD\n", r
        assert [c for c in s.commands if c.startswith("SITE")] == \
            ["SITE CHMOD 600 a.txt"], s.commands
    for name in ("a.txt", "b.txt"):
        assert mode(os.path.join(root, name)) == 0o644


@test
def rm_r_removes_a_tree_but_no_link_target():
    """rm -r: depth first, each entry said; a link to a folder outside the
    tree (which burrowd lists as that folder) and one to a file are
    removed as links, what they lead to stays."""
    with Server(users=USERS) as srv:
        h = srv.home("harry")
        write(os.path.join(h, "keep", "k.txt"), b"keep")
        write(os.path.join(h, "keep", "inner", "i.txt"), b"inner")
        write(os.path.join(h, "t", "a.txt"), b"a")
        write(os.path.join(h, "t", "sub", "b.txt"), b"b")
        write(os.path.join(h, "t", "sub", "deep", "c d.txt"), b"c")
        os.mkdir(os.path.join(h, "t", "sub", "empty"))
        os.symlink("../../keep", os.path.join(h, "t", "sub", "link"))
        os.symlink("../keep/k.txt", os.path.join(h, "t", "flink"))
        for d in ("d1", "d2"):
            write(os.path.join(h, d, "x", "f"), b"f")
        write(os.path.join(h, "e1"), b"e")
        r = ok(burrow(url(srv), "ls t/sub\nrm -r t\nrm -r d*\n", tmp()))
        # burrowd shows the link as the folder it leads to.
        assert any(l.startswith("d ") and l.endswith(" link")
                   for l in r.out.splitlines()), r
        assert r.out.split("\n", 4)[-1] == """t/a.txt: removed
t/flink: removed
t/sub/b.txt: removed
t/sub/deep/c d.txt: removed
t/sub/deep/: removed
t/sub/empty/: removed
t/sub/link: removed
t/sub/: removed
t/: removed
d1/x/f: removed
d1/x/: removed
d1/: removed
d2/x/f: removed
d2/x/: removed
d2/: removed
""", r
        assert sorted(os.listdir(h)) == ["e1", "keep"], r
        assert read(os.path.join(h, "keep", "k.txt")) == b"keep", r
        assert read(os.path.join(h, "keep", "inner", "i.txt")) == b"inner", r
        # A link given itself goes, not what it leads to.
        os.symlink("keep", os.path.join(h, "top"))
        r = ok(burrow(url(srv), "rm -r top\nrm -r e1\n", tmp()))
        assert r.out == "top: removed\ne1: removed\n", r
        assert sorted(os.listdir(h)) == ["keep"], r
        assert read(os.path.join(h, "keep", "inner", "i.txt")) == b"inner", r


@test
def rm_r_leaves_what_a_link_out_of_the_home_leads_to():
    """A link in the tree to a folder outside the home, and a dangling
    one: what the first leads to is never touched, a copy of the tree
    passes over both, and rm -r removes them. burrowd
    lists a link that leads nowhere inside the jail as a link (it left
    it out, so the folder holding it could not be removed)."""
    with Server(users=USERS) as srv:
        h = srv.home("harry")
        outside = tmp()
        write(os.path.join(outside, "o.txt"), b"o")
        write(os.path.join(h, "t", "a"), b"a")
        os.symlink(outside, os.path.join(h, "t", "out"))
        os.symlink("/nonexistent/x", os.path.join(h, "t", "dangling"))
        # A copy of the tree passes over both, saying so.
        local = tmp()
        r = burrow(url(srv), "get t\n", local)
        assert r.rc == 0, r
        for name in ("out", "dangling"):
            assert "t/%s -> %s/t/%s: skipped, a link that leads nowhere" % (
                name, local, name) in r.out, r
        assert os.listdir(os.path.join(local, "t")) == ["a"], r
        r = burrow(url(srv), "rm -r t\n", tmp())
        assert read(os.path.join(outside, "o.txt")) == b"o", r
        assert r.rc == 0, r
        assert not os.path.lexists(os.path.join(h, "t")), r
        for name in ("t/out", "t/dangling", "t/a", "t/"):
            assert name + ": removed" in r.out, (name, r)


@test
def rm_r_refuses_the_root_and_the_way_back():
    with Server(users=USERS) as srv:
        h = srv.home("harry")
        write(os.path.join(h, "a", "b", "f"), b"f")
        write(os.path.join(h, "other", "g"), b"g")
        r = burrow(url(srv), "rm -r /\nrm -r .\nrm -r ..\nrm -r a/..\n"
                   "cd a/b\nrm -r /a\nrm -r ../b\nrm -r /a/b/\n"
                   "rm -r nothing\nrm -r\nrm -x a\nrm /other\n", tmp())
        assert r.rc == 1, r
        assert r.out == "", r
        assert r.err.splitlines() == [
            "burrow: rm -r /: /: refusing to remove /",
            "burrow: rm -r .: .: refusing to remove . or ..",
            "burrow: rm -r ..: ..: refusing to remove . or ..",
            "burrow: rm -r a/..: a/..: refusing to remove . or ..",
            "burrow: rm -r /a: /a: refusing to remove the current folder "
            "or one above it",
            "burrow: rm -r ../b: ../b: refusing to remove the current "
            "folder or one above it",
            "burrow: rm -r /a/b/: /a/b/: refusing to remove the current "
            "folder or one above it",
            "burrow: rm -r nothing: nothing: 550 Delete failed: No such "
            "file or directory.",
            "burrow: rm -r: rm -r needs a path (./-r for a file called so)",
            "burrow: rm -x a: wrong number of arguments (try help)",
            "burrow: rm /other: /other: is a folder (use rm -r or rmdir)",
            ], r
        assert read(os.path.join(h, "a", "b", "f")) == b"f", r
        assert read(os.path.join(h, "other", "g")) == b"g", r


def run_on_pty(args, stdin_data, answer=None, env=None, timeout=60,
               cwd=None):
    """
    Runs args in cwd with a new terminal as controlling tty and stderr,
    stdin from a pipe; types answer when a prompt appears. Returns (rc, tty
    text).
    """
    master, slave = pty.openpty()
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.Popen(args, stdin=subprocess.PIPE, cwd=cwd,
                         stdout=subprocess.DEVNULL, stderr=slave,
                         start_new_session=True, env=e,
                         preexec_fn=lambda: __import__("fcntl").ioctl(
                             slave, __import__("termios").TIOCSCTTY, 0))
    os.close(slave)
    p.stdin.write(stdin_data)
    p.stdin.close()
    seen, answered = b"", False
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if answer is not None and not answered and b"Password" in seen:
                os.write(master, answer + b"\n")
                answered = True
        elif p.poll() is not None:
            break
    p.wait(timeout=10)
    os.close(master)
    return p.returncode, seen


@test
def password_prompt_without_echo():
    with Server(users=USERS) as srv:
        local = tmp()
        u = url(srv, user="beal", password=False)
        rc, seen = run_on_pty([BURROW, "--batch", u], b"pwd\n",
                              answer=b"s3cret", env={"HOME": local},
                              cwd=local)
        assert rc == 0, seen
        assert b"Password for beal@" in seen, seen
        assert b"s3cret" not in seen, seen


@test
def progress_bar_on_a_terminal():
    with Server(users=USERS) as srv:
        write(os.path.join(srv.home("harry"), "big.bin"),
              os.urandom(8 * 1024 * 1024))
        local = tmp()
        rc, seen = run_on_pty([BURROW, "--batch", url(srv)],
                              b"get big.bin\n", env={"HOME": local},
                              cwd=local)
        assert rc == 0, seen
        assert b"\r" in seen and b"big.bin" in seen and b"[" in seen, seen
        # "big.bin  [###---] 45%  3.6 MiB of 8.0 MiB  5.1 MiB/s  0:01"
        lines = re.findall(rb"big\.bin +\[[#-]{24}\] (\d+)%  "
                           rb"[\d.]+ [KMG]?i?B of 8\.0 MiB  \S+( \S+)?  "
                           rb"(\d+:\d\d|--:--)", seen)
        assert lines, seen
        assert all(0 <= int(p) <= 100 for p, _, _ in lines), lines
        # Not on a pipe: nothing but results.
        r = ok(burrow(url(srv), "get big.bin\n", local))
        assert "\r" not in r.err, r


def known_hosts(home):
    return os.path.join(home, ".config", "burrow", "known_hosts")


@test
def trust_on_first_use():
    with Server(users=USERS, tls={"require": True}) as srv:
        home = tmp()
        u = url(srv, scheme="ftps")
        # First use: trusted, pinned, said so.
        r = ok(burrow(u, "pwd\n", home))
        kh = known_hosts(home)
        assert "trusted on first use" in r.err, r
        assert os.stat(kh).st_mode & 0o777 == 0o600, oct(os.stat(kh).st_mode)
        assert os.stat(os.path.dirname(kh)).st_mode & 0o777 == 0o700
        line = open(kh).read()
        assert line.startswith("%s:%d " % (HOST, srv.port)), line
        # Next time: matched silently.
        r = ok(burrow(u, "pwd\n", home))
        assert "trusted" not in r.err, r
        # A changed certificate is refused, loudly, before the password.
        fp = line.split()[1]
        bad = ("00" if fp[:2] != "00" else "11") + fp[2:]
        with open(kh, "w") as f:
            f.write("%s:%d %s\n" % (HOST, srv.port, bad))
        r = burrow(u, "pwd\n", home)
        assert r.rc == 1 and "CERTIFICATE CHANGED" in r.err, r
        # Both fingerprints, 16 bytes a line, and the line to remove.
        for f in (bad, fp):
            assert f[:47] in r.err and "\n" + " " * 18 + f[48:] in r.err, r
        assert "remove line 1 of\n  %s\n" % kh in r.err, r
        # --insecure skips the check; --cafile verifies without pinning.
        ok(burrow(u, "pwd\n", home, args=("--insecure",)))
        home2 = tmp()
        ok(burrow(u, "pwd\n", home2, args=("--cafile", srv.cert)))
        assert not os.path.exists(known_hosts(home2))
        # XDG_CONFIG_HOME wins over HOME.
        xdg = tmp()
        ok(burrow(u, "pwd\n", home2, env={"XDG_CONFIG_HOME": xdg}))
        assert os.path.exists(os.path.join(xdg, "burrow", "known_hosts"))


@test
def ftps_to_a_server_without_tls_is_refused():
    with Server(users=USERS) as srv:
        r = burrow(url(srv, scheme="ftps"), "pwd\n", tmp())
        assert r.rc == 1 and "does not offer TLS" in r.err, r


@test
def dropped_connection_is_mended():
    with Server(users=USERS, idle_timeout=1) as srv:
        write(os.path.join(srv.home("harry"), "docs", "in.txt"), b"in")
        local = tmp()
        e = dict(os.environ, HOME=local)
        p = subprocess.Popen([BURROW, "--batch", url(srv)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=local, env=e)
        p.stdin.write(b"cd docs\n")
        p.stdin.flush()
        time.sleep(2.5)         # the server drops the idle session
        out, err = p.communicate(b"pwd\nls\nget in.txt\n", timeout=60)
        assert p.returncode == 0, (out, err)
        assert b"/docs\n" in out and b" in.txt" in out, (out, err)
        assert b"reconnected" in err, err
        assert read(os.path.join(local, "in.txt")) == b"in"


@test
def ipv6_loopback():
    if not os.path.exists("/proc/net/if_inet6"):
        return
    with Server(users=USERS, listen="::1") as srv:
        write(os.path.join(srv.home("harry"), "a.txt"), b"six")
        local = tmp()
        r = ok(burrow(url(srv, host="[::1]"), "ls\nget a.txt\n", local))
        assert read(os.path.join(local, "a.txt")) == b"six", r


@test
def checksum_mismatch_is_refused():
    root = tmp()
    data = os.urandom(200000)
    write(os.path.join(root, "f.bin"), data)
    with FakeFtpd(root, lie_hash=True) as s:
        local = tmp()
        write(os.path.join(local, "up.bin"), os.urandom(5000))
        r = burrow(s.url(), "get f.bin\nput up.bin\n", local)
        assert r.rc == 1, r
        assert r.err.count("checksum mismatch") == 2, r
        assert "f.bin" in r.err and "up.bin" in r.err, r
        assert "verified" not in r.out, r
    with FakeFtpd(root, lie_hash=False) as s:
        local = tmp()
        r = ok(burrow(s.url(), "get f.bin\n", local))
        assert "verified by SHA-256" in r.out, r


@test
def pipelining_asks_for_the_next_data_port_with_each_transfer():
    """To a server announcing PIPELINING, the next transfer's EPSV goes
    out with each RETR, so that its data connection is made while the
    file is checked: one round trip less per file. A refused RETR (the
    file is gone) is answered with the EPSV after it, and the session
    stays in step. Without PIPELINING nothing is sent during a transfer
    (Pure-FTPd answers anything but ABOR with 500 then)."""
    root = tmp()
    files = {"d/f%d" % i: os.urandom(3000 + i) for i in range(4)}
    for name, data in files.items():
        write(os.path.join(root, name), data)
    write(os.path.join(root, "bad"), b"refused")
    for pipelining in (True, False):
        with FakeFtpd(root, pipelining=pipelining, listing="dos",
                      refuse=("bad",)) as s:
            local = tmp()
            # One login, so that s.commands is one session's.
            r = burrow(s.url(), "get d\nget d/f0 again\nget bad\n"
                       "get d/f1 again1\n", local, args=("--parallel", "1"))
            assert r.rc == 1 and "bad" in r.err and "550" in r.err, r
            for name, data in files.items():
                assert read(os.path.join(local, name)) == data, r
            assert read(os.path.join(local, "again")) == files["d/f0"], r
            assert read(os.path.join(local, "again1")) == files["d/f1"], r
            assert r.out.count("verified by SHA-256") == 6, r
            cmds = s.commands
            after_retr = [cmds[i + 1] for i, c in enumerate(cmds[:-1])
                          if c.startswith("RETR")]
            if pipelining:
                assert after_retr and all(c == "EPSV" for c in after_retr), \
                    cmds
                # One EPSV per transfer, and the first: the rest went out
                # early.
                assert cmds.count("EPSV") == \
                    sum(c.startswith(("RETR", "LIST")) for c in cmds) + 1, \
                    cmds
            else:
                assert "EPSV" not in after_retr, cmds


def tree(root, n, sub=3):
    """n files of assorted sizes over sub folders; {relative path: data}."""
    files = {}
    for i in range(n):
        rel = "d%d/f%03d" % (i % sub, i)
        files[rel] = os.urandom(1000 + 7919 * (i % 13))
        write(os.path.join(root, rel), files[rel])
    return files


def same_files(files, root):
    for rel, data in files.items():
        assert read(os.path.join(root, rel)) == data, rel


@test
def parallel_get_and_put_share_a_folder_over_four_logins():
    """A folder goes file by file over four logins: every file arrives and
    is verified, the server saw four logins, and nothing is said."""
    with Server(users=USERS) as srv:
        files = tree(os.path.join(srv.home("harry"), "t"), 60)
        local = tmp()
        r = ok(burrow(url(srv), "get t\nput t up\n", local,
                      args=("--parallel", "4")))
        same_files(files, os.path.join(local, "t"))
        same_files(files, os.path.join(srv.home("harry"), "up"))
        assert r.out.count("verified by SHA-256") == 120, r
        assert "took" not in r.err, r
        assert srv.log().count("login harry") == 4, srv.log()
        assert r.err == "", r


@test
def parallel_backs_off_to_the_logins_the_server_allows():
    """max_sessions_per_user = 2 while asking for 4: burrow says once that
    the server took 2, goes on with 2, and nothing is lost or failed, in
    this command or the next."""
    with Server(users=USERS, max_sessions_per_user=2) as srv:
        files = tree(os.path.join(srv.home("harry"), "t"), 40)
        local = tmp()
        r = ok(burrow(url(srv), "get t\nput t up\nget t again\n", local,
                      args=("--parallel", "4")))
        same_files(files, os.path.join(local, "t"))
        same_files(files, os.path.join(local, "again"))
        same_files(files, os.path.join(srv.home("harry"), "up"))
        assert r.out.count("verified by SHA-256") == 120, r
        assert r.err.count("the server took 2 of the 4 connections") == 1, r
        assert "going on with 2" in r.err, r
        log = srv.log()
        assert "already 2 sessions" in log, log
        # No further tries after the refusal: two refused in all at most
        # (the two extra logins that raced the one that got in).
        assert log.count("refused harry") <= 2, log


@test
def parallel_logins_only_for_a_copy():
    """The further logins connect beside the first but log in only when a
    copy wants them: a script that copies nothing logs in once, and a
    wrong password fails once, not once per login."""
    with Server(users=USERS) as srv:
        local = tmp()
        r = ok(burrow(url(srv), "ls\npwd\n", local,
                      args=("--parallel", "4")))
        assert r.err == "", r
        log = srv.log()
        assert log.count("login harry") == 1, log
        bad = "ftp://harry:wrong@%s:%d/" % (HOST, srv.port)
        r = burrow(bad, "get x\n", local, args=("--parallel", "4"))
        assert r.rc == 1, r
        assert "530" in r.err, r
        log = srv.log()
        assert log.count("failed login") == 1, log
        assert log.count("login harry") == 1, log


@test
def parallel_logins_held_past_a_login_timeout_start_over():
    """Connections waiting for a copy are dropped by the server's
    login_timeout (1 s); when the copy comes, they connect again and log
    in: four logins, everything verified, nothing said."""
    with Server(users=USERS, login_timeout=1) as srv:
        files = tree(os.path.join(srv.home("harry"), "t"), 24)
        local = tmp()
        env = dict(os.environ, HOME=local)
        p = subprocess.Popen([BURROW, "--batch", "--parallel", "4",
                              url(srv)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=local, env=env)
        try:
            p.stdin.write(b"pwd\n")
            p.stdin.flush()
            assert wait_until(lambda: srv.log().count("login timeout") >= 3,
                              20), srv.log()
            out, err = p.communicate(b"get t\n", timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        assert p.returncode == 0, (out, err)
        same_files(files, os.path.join(local, "t"))
        assert out.decode().count("verified by SHA-256") == 24, out
        assert err == b"", err
        assert srv.log().count("login harry") == 4, srv.log()


@test
def segmented_download_killed_then_resumed():
    """A big file (40 MiB, over the 32 MiB threshold) comes in four ranges
    over four logins. burrow killed with SIGKILL midway leaves the ranges'
    plan beside the file; the next get goes on with every range from
    where it stopped (REST at no range's start, nothing fetched twice from
    the beginning) and ends byte-identical, verified whole, the plan
    removed."""
    root = tmp()
    data = os.urandom(40 << 20)
    write(os.path.join(root, "big.bin"), data)
    with FakeFtpd(root, rate=4 << 20) as s:
        local = tmp()
        parts = os.path.join(local, ".big.bin.burrow-parts")
        env = dict(os.environ, HOME=local)
        p = subprocess.Popen([BURROW, "--batch", "--parallel", "4",
                              s.url()], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, cwd=local, env=env)
        p.stdin.write(b"get big.bin\n")
        p.stdin.close()

        def saved():
            try:
                with open(parts) as f:
                    text = f.read()
            except OSError:
                return False
            return sum(int(l.split()[3]) for l in text.splitlines()
                       if l.startswith("range ")) >= 8 << 20
        try:
            assert wait_until(saved, 30), "no plan saved"
        finally:
            p.kill()
            p.wait(10)
        with open(parts) as f:
            plan = [l.split() for l in f.read().splitlines()
                    if l.startswith("range ")]
        assert len(plan) == 4, plan
        starts = {int(r[1]) for r in plan}
        s.rate = 16 << 20
        before = len(s.commands)
        r = ok(burrow(s.url(), "get big.bin\n", local,
                      args=("--parallel", "4")))
        assert read(os.path.join(local, "big.bin")) == data, r
        assert "resumed, verified by SHA-256; in ranges over 4 " \
            "connections" in r.out, r
        assert not os.path.exists(parts), r
        rests = [int(c.split()[1]) for c in s.commands[before:]
                 if c.startswith("REST ")]
        assert rests and all(x not in starts for x in rests), (starts,
                                                                rests)


# --- modification times --------------------------------------------------------

@test
def times_are_kept_both_ways():
    """get and put of a file and of a tree: every file's modification time
    is its source's (fractions dropped); a second get or put of the same
    tree is skipped as before, the times left as they are; parallel
    logins keep times too."""
    with Server(users=USERS) as srv:
        h = srv.home("harry")
        remote = {"one.txt": 1500000001, "t/a.txt": 1400000002,
                  "t/sub/b.bin": 1300000003, "t/sub/c.txt": 1200000004}
        plant(h, remote)
        local = tmp()
        mine = {"up.txt": 1234567891.75, "lt/x.txt": 1111111112,
                "lt/d/y.bin": 1222222223}
        plant(local, mine)
        r = ok(burrow(url(srv), "get one.txt\nget t\nput up.txt\nput lt\n",
                      local))
        assert r.out.count("verified by SHA-256") == 7, r
        assert "time not kept" not in r.out + r.err, r
        same_times(remote, local)
        same_times(mine, h)
        # Again: nothing is sent, and the times stay.
        r = ok(burrow(url(srv), "get t\nput lt\nget one.txt\n", local))
        assert r.out.count("skipped, identical (same size and "
                           "checksum)") == 6, r
        assert "verified" not in r.out, r
        same_times(remote, local)
        same_times(mine, h)
        # The same over three logins at once, into new folders.
        r = ok(burrow(url(srv), "get t t2\nput lt lt2\n", local,
                      args=("--parallel", "3")))
        assert r.out.count("verified by SHA-256") == 5, r
        same_times({"t2" + k[1:]: v for k, v in remote.items()
                    if k.startswith("t/")}, local)
        same_times({"lt2" + k[2:]: v for k, v in mine.items()
                    if k.startswith("lt/")}, h)
        # A resumed download ends with the source's time too.
        with open(os.path.join(local, "t", "sub", "b.bin"), "r+b") as f:
            f.truncate(100)
        r = ok(burrow(url(srv), "get t/sub/b.bin t/sub/b.bin\n", local))
        assert "resumed" in r.out, r
        same_times({"t/sub/b.bin": remote["t/sub/b.bin"]}, local)


@test
def times_without_mfmt_use_site_utime_and_mdtm():
    """A server with SITE UTIME (named by SITE HELP) and MDTM but no MFMT
    and no MLSD: uploads are given their time with SITE UTIME, downloads
    read it with MDTM (the DOS listing tells minutes only)."""
    root = tmp()
    plant(root, {"r.txt": 1500000007, "rt/in.txt": 1500000008})
    with FakeFtpd(root, times="utime") as s:
        local = tmp()
        plant(local, {"a.txt": 1400000009, "b.txt": 1400000010})
        r = ok(burrow(s.url(), "put a.txt\nput b.txt\nget r.txt\nget rt\n",
                      local))
        assert "time not kept" not in r.out, r
        same_times({"a.txt": 1400000009, "b.txt": 1400000010}, root)
        same_times({"r.txt": 1500000007, "rt/in.txt": 1500000008}, local)
        assert "SITE UTIME %s /a.txt" % utc(1400000009) in s.commands, \
            s.commands
        assert s.commands.count("SITE HELP") == 1, s.commands
        assert not any(c.startswith("MFMT") for c in s.commands), s.commands


@test
def a_time_refused_or_impossible_fails_nothing():
    """MFMT refused: the file is done, its message says why the time was
    not kept. A server with no way at all: not a word about times."""
    root = tmp()
    with FakeFtpd(root, times="refused") as s:
        local = tmp()
        plant(local, {"a.txt": 1400000009})
        r = ok(burrow(s.url(), "put a.txt\n", local))
        assert "verified by SHA-256; time not kept: 550 not permitted " \
            "here" in r.out, r
        assert read(os.path.join(root, "a.txt")) == \
            read(os.path.join(local, "a.txt"))
        assert "MFMT %s /a.txt" % utc(1400000009) in s.commands, s.commands
    root = tmp()
    plant(root, {"r.txt": 1500000007})
    with FakeFtpd(root) as s:
        local = tmp()
        plant(local, {"a.txt": 1400000009, "b.txt": 1400000010})
        r = ok(burrow(s.url(), "put a.txt\nput b.txt\nget r.txt\n", local))
        assert "time" not in r.out + r.err, r
        assert r.out.count("verified by SHA-256") == 3, r
        # Asked once what it has; no MDTM, MFMT or SITE UTIME tried.
        assert s.commands.count("SITE HELP") == 1, s.commands
        assert not any(c.split()[0] in ("MDTM", "MFMT") or
                       c.startswith("SITE UTIME") for c in s.commands), \
            s.commands


@test
def dos_listing_without_mlsd():
    root = tmp()
    write(os.path.join(root, "a file.txt"), b"12345")
    write(os.path.join(root, "dir", "inner.bin"), b"inner")
    with FakeFtpd(root, listing="dos") as s:
        local = tmp()
        r = ok(burrow(s.url(), "ls\nget dir\n", local))
        lines = r.out.splitlines()
        assert any(l.startswith("f ") and l.endswith(" a file.txt") and
                   " 5 " in l for l in lines), r
        assert any(l.startswith("d ") and l.endswith(" dir")
                   for l in lines), r
        assert read(os.path.join(local, "dir", "inner.bin")) == b"inner", r


@test
def server_without_size_or_hash():
    """Neither MLST, SIZE nor HASH: the folder's listing tells what is
    there, so a partial copy on the server is resumed, not taken for a
    missing file and overwritten, and checks fall back to sizes."""
    root = tmp()
    up = os.urandom(200000)
    write(os.path.join(root, "up.bin"), up[:50000])
    write(os.path.join(root, "down.bin"), b"d" * 3000)
    with FakeFtpd(root, size=False, hash=False) as s:
        local = tmp()
        write(os.path.join(local, "up.bin"), up)
        r = ok(burrow(s.url(), "put up.bin\nget down.bin\nget down.bin\n",
                      local))
        assert read(os.path.join(root, "up.bin")) == up, r
        assert "resumed, verified by size" in r.out, r
        assert read(os.path.join(local, "down.bin")) == b"d" * 3000, r
        assert "skipped, identical (same size)" in r.out, r
        assert any(c.startswith("REST 50000") for c in s.commands), \
            s.commands
        # A missing one is still missing.
        r = burrow(s.url(), "get nothing.bin\n", local)
        assert r.rc == 1 and "nothing.bin" in r.err, r


@test
def command_done_then_connection_lost():
    """The server deletes (or makes) and dies before it can say so: after
    the reconnect the second try fails, the path shows the work was done,
    and the command counts as done. A file that never was is still an
    error."""
    root = tmp()
    write(os.path.join(root, "f.txt"), b"x")
    os.mkdir(os.path.join(root, "d"))
    with FakeFtpd(root, vanish_after=("DELE", "RMD", "MKD")) as s:
        r = ok(burrow(s.url(), "rm f.txt\nrmdir d\nmkdir n\n", tmp()))
        assert not os.path.exists(os.path.join(root, "f.txt")), r
        assert not os.path.exists(os.path.join(root, "d")), r
        assert os.path.isdir(os.path.join(root, "n")), r
        assert r.err.count("reconnected") == 3, r
        r = burrow(s.url(), "rm never.txt\n", tmp())
        assert r.rc == 1 and "550" in r.err, r


@test
def slow_hash():
    """HASH may take longer than a command's timeout (a server reads the
    whole file): up to ten of them. One slower still is given up, said,
    and the file verified by size; the next command reconnects."""
    root = tmp()
    write(os.path.join(root, "f.bin"), os.urandom(5000))
    with FakeFtpd(root, hash_delay=1.5) as s:
        local = tmp()
        r = ok(burrow(s.url(), "get f.bin\n", local, args=("--timeout", "1")))
        assert "verified by SHA-256" in r.out, r
    with FakeFtpd(root, hash_delay=30) as s:
        local = tmp()
        t0 = time.monotonic()
        r = ok(burrow(s.url(), "get f.bin\npwd\nls\n", local,
                      args=("--timeout", "1")))
        took = time.monotonic() - t0
        assert "verified by size; no checksum: no answer to HASH" in r.out, r
        assert " f.bin" in r.out.splitlines()[-1], r     # ls after it
        assert 9 < took < 20, (took, r)     # gave up at 10 s, not 30


@test
def usage_errors():
    for args in (["--batch"], ["--batch", "http://x"], ["--bogus"],
                 ["--batch", "--timeout", "0", "ftp://h"],
                 ["--keepalive", "-1", "ftp://h"],
                 ["--keepalive", "x", "ftp://h"]):
        p = subprocess.run([BURROW] + args, capture_output=True,
                           timeout=10, stdin=subprocess.DEVNULL)
        assert p.returncode == 2, (args, p)
    p = subprocess.run([BURROW, "--version"], capture_output=True,
                       timeout=10)
    assert p.returncode == 0 and p.stdout.startswith(b"burrow "), p
    # --help lists every option and says where the rest is (it printed
    # four lines of usage).
    for flag in ("--help", "-h"):
        p = subprocess.run([BURROW, flag], capture_output=True, timeout=10,
                           stdin=subprocess.DEVNULL)
        out = p.stdout.decode()
        assert p.returncode == 0 and p.stderr == b"", p
        for want in ("--batch", "--tls", "--insecure", "--cafile FILE",
                     "--timeout SECS", "--parallel N", "--keepalive SECS",
                     "-h, --help", "-V, --version",
                     "burrow(1)", "F1", "known_hosts"):
            assert want in out, (want, out)
        assert max(len(l) for l in out.splitlines()) <= 80, out


@test
def mirror_both_ways():
    with Server(users=USERS) as srv:
        mirror_script(url(srv), srv.home("harry"))


@test
def mirror_both_ways_tls():
    with Server(users=USERS, tls={"require": True}) as srv:
        mirror_script(url(srv, scheme="ftps"), srv.home("harry"),
                      args=("--cafile", srv.cert, "--parallel", "3"))


def mirror_pair(srv):
    """A remote folder src and a local copy dl of it, with extras on the
    local side and a sibling folder beside dl that nothing may touch."""
    h = srv.home("harry")
    for rel, data in (("a.txt", b"a"), ("d/b.txt", b"bb"),
                      ("d/e/c.txt", b"ccc")):
        write(os.path.join(h, "src", rel), data)
    local = tmp()
    ok(burrow(url(srv), "mirror src dl\n", local))
    dl = os.path.join(local, "dl")
    write(os.path.join(dl, "extra.txt"), b"extra")
    write(os.path.join(dl, "d", "gone", "x.txt"), b"x")
    write(os.path.join(dl, "d", "e", "stray.txt"), b"stray")
    write(os.path.join(local, "sibling", "keep.txt"), b"keep")
    return h, local, dl


@test
def mirror_delete_only_what_it_listed():
    with Server(users=USERS) as srv:
        h, local, dl = mirror_pair(srv)
        before_remote = files_of(os.path.join(h, "src"))
        # Without --delete the extras stay, and the trees still differ.
        r = burrow(url(srv), "mirror src dl\n", local)
        assert r.rc == 1 and "the trees differ" in r.err, r
        assert os.path.exists(os.path.join(dl, "extra.txt")), r
        r = burrow(url(srv), "mirror --dry-run --delete src dl\n", local)
        assert r.rc == 1, r
        listed = sorted(l.split()[2] for l in r.out.splitlines()
                        if l.startswith("delete local "))
        assert listed == ["d/e/stray.txt", "d/gone/", "extra.txt"], r
        r = ok(burrow(url(srv), "mirror --delete src dl\n", local))
        removed = [l[:-len(": removed")] for l in r.out.splitlines()
                   if l.endswith(": removed")]
        # Each removed entry is one of the listed ones or inside one.
        for p in removed:
            rel = os.path.relpath(p, "dl")
            assert any(rel == x.rstrip("/") or rel.startswith(x)
                       for x in listed), (p, listed, r)
        assert "3 deleted" in r.out, r
        assert files_of(dl) == before_remote, r
        assert folders(dl) == folders(os.path.join(h, "src")), r
        assert read(os.path.join(local, "sibling", "keep.txt")) == b"keep"
        # the source side is never deleted from
        assert files_of(os.path.join(h, "src")) == before_remote, r
        # -R --delete removes on the server only, what the plan lists.
        write(os.path.join(h, "src", "only-remote.txt"), b"r")
        os.remove(os.path.join(dl, "a.txt"))
        r = ok(burrow(url(srv), "mirror -R --delete dl src\n", local))
        assert "src/only-remote.txt: removed" in r.out, r
        assert "src/a.txt: removed" in r.out, r
        assert not os.path.exists(os.path.join(h, "src", "a.txt")), r
        assert files_of(os.path.join(h, "src")) == files_of(dl), r
        # Another type: a conflict kept without --delete, replaced with it.
        write(os.path.join(h, "src", "t", "in.txt"), b"in")
        write(os.path.join(dl, "t"), b"a file here")
        r = burrow(url(srv), "mirror src dl\n", local)
        assert r.rc == 1 and "1 conflicts" in r.out, r
        assert read(os.path.join(dl, "t")) == b"a file here", r
        r = burrow(url(srv), "mirror --dry-run --delete src dl\n", local)
        assert "replace local t/ (type differs)" in r.out, r
        r = ok(burrow(url(srv), "mirror --delete src dl\n", local))
        assert read(os.path.join(dl, "t", "in.txt")) == b"in", r


@test
def mirror_dry_run_changes_nothing():
    with Server(users=USERS) as srv:
        h, local, dl = mirror_pair(srv)
        src = os.path.join(h, "src")
        write(os.path.join(src, "new.txt"), b"new remote")
        write(os.path.join(src, "d", "b.txt"), b"bb but longer")
        write(os.path.join(dl, "a.txt"), b"A")      # same size, newer
        os.utime(os.path.join(dl, "a.txt"), (time.time() + 120,) * 2)

        def state():
            return (files_of(src), times(src), folders(src), files_of(dl),
                    times(dl), folders(dl))
        before = state()
        for opts in ("--dry-run", "--dry-run --delete",
                     "--dry-run --checksum --delete"):
            r = burrow(url(srv), "mirror %s src dl\n" % opts, local)
            assert r.rc == 1, r
            assert "download new.txt (new)" in r.out, r
            assert "download d/b.txt (" in r.out, r
            assert "download a.txt (older than the target)" in r.out, r
            assert "dry run: nothing changed" in r.out, r
            assert state() == before, (opts, r)
        r = burrow(url(srv), "mirror -R --dry-run --delete dl src\n", local)
        assert r.rc == 1 and "delete remote new.txt" in r.out, r
        assert "upload extra.txt (new)" in r.out, r
        assert state() == before, r


@test
def mirror_checksum_finds_same_size_same_time():
    with Server(users=USERS) as srv:
        h, local, dl = mirror_pair(srv)
        ok(burrow(url(srv), "mirror --delete src dl\n", local))
        t = int(time.time()) - 500
        for root, data in ((os.path.join(h, "src"), b"remote!"),
                           (dl, b"local!!")):
            write(os.path.join(root, "d", "same.bin"), data)
            os.utime(os.path.join(root, "d", "same.bin"), (t, t))
        # By size and time they are the same.
        r = ok(burrow(url(srv), "mirror --dry-run src dl\n", local))
        assert "0 to copy" in r.out, r
        r = burrow(url(srv), "mirror --dry-run --checksum src dl\n", local)
        assert r.rc == 1, r
        assert "download d/same.bin (content differs)" in r.out, r
        r = ok(burrow(url(srv), "mirror --checksum src dl\n", local))
        assert read(os.path.join(dl, "d", "same.bin")) == b"remote!", r
        assert "the trees are the same" in r.out, r
        # and upward
        write(os.path.join(dl, "d", "same.bin"), b"LOCAL!!")
        os.utime(os.path.join(dl, "d", "same.bin"), (t, t))
        r = ok(burrow(url(srv), "mirror -R --checksum dl src\n", local))
        assert read(os.path.join(h, "src", "d", "same.bin")) == b"LOCAL!!"


@test
def mirror_usage():
    with Server(users=USERS) as srv:
        local = tmp()
        write(os.path.join(srv.home("harry"), "f.txt"), b"a file")
        write(os.path.join(local, "lf.txt"), b"a local file")
        for line, want in (("mirror src\n", "a source and a target"),
                           ("mirror --bogus a b\n", "unknown option"),
                           ("mirror a b c\n", "wrong number"),
                           ("mirror --time-offset x a b\n", "hours ahead"),
                           ("mirror nothere dl\n", "550"),
                           ("mirror f.txt dl\n", "f.txt: not a folder"),
                           ("mirror -R lf.txt up\n",
                            "lf.txt: not a folder")):
            r = burrow(url(srv), line, local)
            assert r.rc == 1 and want in r.err, (line, r)
        assert not os.path.exists(os.path.join(local, "dl"))
        r = ok(burrow(url(srv), "help\n", local))
        assert "mirror [-R]" in r.out, r


@test
def mirror_time_offset_for_a_server_listing_in_its_zone():
    """A server without MDTM that lists in local time two hours ahead of
    UTC (DOS lines, to the minute): the same file looks two hours newer
    there, until --time-offset 2 says so."""
    root = tmp()
    local = tmp()
    t = (int(time.time()) - 7200) // 60 * 60
    for base in (os.path.join(root, "src"), os.path.join(local, "dl")):
        write(os.path.join(base, "f.txt"), b"same bytes")
        os.utime(os.path.join(base, "f.txt"), (t, t))
    old = os.environ.get("TZ")
    os.environ["TZ"] = "XXX-2"      # POSIX: two hours east of UTC
    time.tzset()
    try:
        with FakeFtpd(root) as s:
            r = burrow(s.url(), "mirror --dry-run src dl\n", local)
            assert r.rc == 1 and "download f.txt (newer)" in r.out, r
            r = ok(burrow(s.url(), "mirror --dry-run --time-offset 2 "
                          "src dl\n", local))
            assert "0 to copy" in r.out, r
            r = ok(burrow(s.url(), "mirror --dry-run --time-offset +2:00 "
                          "src dl\n", local))
            r = burrow(s.url(), "mirror --dry-run --time-offset -2 "
                       "src dl\n", local)
            assert r.rc == 1, r
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


if __name__ == "__main__":
    run()
