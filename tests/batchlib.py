"""
batchlib: running `burrow --batch` from the end-to-end suites, and the
transfer script they all run against burrowd and the peer servers.
"""
import hashlib
import os
import subprocess
import tempfile
import time

from harness import BUILDDIR

BURROW = os.path.join(BUILDDIR, "burrow")


class Run:
    """One burrow run: rc, out, err."""

    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def __repr__(self):
        return "rc=%d\n--- stdout\n%s--- stderr\n%s" % (self.rc, self.out,
                                                         self.err)


def burrow(url, script, cwd, home=None, env=None, args=(), timeout=120):
    """Runs burrow --batch URL with script (str or bytes) on stdin, in cwd,
    HOME=home."""
    e = dict(os.environ)
    for k in ("BURROW_PASSWORD", "XDG_CONFIG_HOME"):
        e.pop(k, None)
    e["HOME"] = home or cwd
    e.update(env or {})
    p = subprocess.run([BURROW, "--batch"] + list(args) + [url],
                       input=script if isinstance(script, bytes) else
                       script.encode(), cwd=cwd, env=e,
                       capture_output=True, timeout=timeout)
    return Run(p.returncode, p.stdout.decode(errors="replace"),
               p.stderr.decode(errors="replace"))


def ok(r):
    assert r.rc == 0, r
    return r


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def sha(path):
    return hashlib.sha256(read(path)).hexdigest()


def tree(root):
    """{relative path: bytes} of every file under root."""
    d = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            d[os.path.relpath(p, root)] = read(p)
    return d


def set_mtime(path, t):
    os.utime(path, (t, t))


def mtime(path):
    """Whole seconds, as FTP tells times."""
    return int(os.stat(path).st_mtime)


def utc(t):
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(t))


def plant(root, files, put=None):
    """Writes {relative path: mtime} under root, each file a different
    size; put(relative path, data) writes it when given (a peer's put(),
    which gives the file to the server's account)."""
    for i, (rel, t) in enumerate(sorted(files.items())):
        p = os.path.join(root, rel)
        if put is not None:
            put(rel, os.urandom(100 * i))
        else:
            write(p, os.urandom(100 * i))
        set_mtime(p, t)


def same_times(files, root):
    """Asserts each file of {relative path: mtime} under root has that
    mtime, in whole seconds."""
    got = {rel: mtime(os.path.join(root, rel)) for rel in files}
    want = {rel: int(t) for rel, t in files.items()}
    assert got == want, (got, want)


def transfer_script(url, remote_home, args=(), env=None, remote_dir="",
                    put=None):
    """
    The script every server must pass: fresh download, resumed download
    after truncating the local copy, skipped identical download, resumed
    upload, recursive get and put. remote_home is the server-side folder
    the login lands in (plus remote_dir, the folder the URL names).
    put(relative path, data) writes a file into it the way the server's
    user would own it (default: write()).
    """
    big = os.urandom(3 * 1024 * 1024 + 17)
    rbase = os.path.join(remote_home, remote_dir)

    def rput(rel, data):
        if put is not None:
            put(os.path.join(remote_dir, rel), data)
        else:
            write(os.path.join(rbase, rel), data)
    rput("big.bin", big)
    rput(os.path.join("tree", "a.txt"), b"alpha\n")
    rput(os.path.join("tree", "sub", "b.bin"), os.urandom(70000))
    rput(os.path.join("tree", "sub", "empty"), b"")
    local = tempfile.mkdtemp(prefix="burrow-batch-")

    # Fresh download.
    r = ok(burrow(url, "get big.bin\n", local, args=args, env=env))
    assert read(os.path.join(local, "big.bin")) == big, r
    assert "verified" in r.out, r

    # Resumed download after truncating the local copy.
    with open(os.path.join(local, "big.bin"), "r+b") as f:
        f.truncate(1024 * 1024)
    r = ok(burrow(url, "get big.bin\n", local, args=args, env=env))
    assert read(os.path.join(local, "big.bin")) == big, r
    assert "resumed" in r.out, r

    # Identical: skipped.
    r = ok(burrow(url, "get big.bin\n", local, args=args, env=env))
    assert "skipped" in r.out and "identical" in r.out, r

    # Resumed upload: the server has the first part only.
    up = os.urandom(2 * 1024 * 1024 + 5)
    write(os.path.join(local, "up.bin"), up)
    rput("up.bin", up[:700000])
    r = ok(burrow(url, "put up.bin\n", local, args=args, env=env))
    assert read(os.path.join(rbase, "up.bin")) == up, r
    assert "resumed" in r.out, r

    # Recursive get, then put of the fetched tree under another name.
    r = ok(burrow(url, "get tree\nput tree tree2\n", local, args=args,
                  env=env))
    want = tree(os.path.join(rbase, "tree"))
    assert tree(os.path.join(local, "tree")) == want, r
    assert tree(os.path.join(rbase, "tree2")) == want, r
    return local


def times(root):
    """{relative path: mtime in whole seconds} of every file under root."""
    d = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            d[os.path.relpath(p, root)] = mtime(p)
    return d


def folders(root):
    """The relative paths of every folder under root."""
    return sorted(os.path.relpath(os.path.join(d, s), root)
                  for d, subs, _ in os.walk(root) for s in subs)


def mirror_script(url, remote_home, args=(), put=None, mkdir=None):
    """
    mirror both ways, the script every server must pass: a remote tree
    (nested folders, an empty one, a name with a space, times an hour and
    a day old) downloaded into a folder yet to be made, then mirrored
    again with nothing to do (the times compare equal, however roughly
    the server lists them); then local changes (a file rewritten with
    another size, a new file, a new folder) uploaded with -R, and again
    nothing to do. Each time the trees end byte-identical and the exit
    status is 0. put(rel, data) and mkdir(rel) write into remote_home
    as the server's user would (default: write(), os.makedirs()).
    Returns the local folder.
    """
    now = int(time.time())
    files = {"a.txt": b"alpha\n", "docs/b.bin": os.urandom(70000),
             "docs/deep/c.txt": b"deep", "sp ace.txt": b"spaced",
             "old.txt": b"from yesterday"}
    rbase = os.path.join(remote_home, "msrc")
    for i, (rel, data) in enumerate(sorted(files.items())):
        if put is not None:
            put(os.path.join("msrc", rel), data)
        else:
            write(os.path.join(rbase, rel), data)
        t = now - 86400 if rel == "old.txt" else now - 3600 - 7 * i
        os.utime(os.path.join(rbase, rel), (t, t))
    if mkdir is not None:
        mkdir(os.path.join("msrc", "empty"))
    else:
        os.makedirs(os.path.join(rbase, "empty"))
    local = tempfile.mkdtemp(prefix="burrow-mirror-")
    dl = os.path.join(local, "dl")

    r = ok(burrow(url, "mirror msrc dl\n", local, args=args))
    assert tree(dl) == files, r
    assert folders(dl) == folders(rbase), r
    assert "the trees are the same" in r.out, r
    assert times(dl) == times(rbase), (times(dl), times(rbase), r)
    r = ok(burrow(url, "mirror msrc dl\n", local, args=args))
    assert "0 to copy, 0 to delete" in r.out and "->" not in r.out, r

    write(os.path.join(dl, "a.txt"), b"alpha, rewritten\n")
    write(os.path.join(dl, "new.txt"), b"new")
    write(os.path.join(dl, "newdir", "x.txt"), b"x")
    r = ok(burrow(url, "mirror -R dl msrc\n", local, args=args))
    assert "dl/a.txt -> msrc/a.txt: " in r.out, r
    assert tree(rbase) == tree(dl), r
    assert folders(rbase) == folders(dl), r
    r = ok(burrow(url, "mirror -R dl msrc\n", local, args=args))
    assert "0 to copy, 0 to delete" in r.out and "->" not in r.out, r
    return local
