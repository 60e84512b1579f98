"""
e2e_lftp: the lftp client against a real burrowd.

ls, cd, mkdir, rmdir, rm, mv, chmod, get, put, resumed uploads (put -c) and
downloads (get -c), and mirror of a small tree in both directions; every
result is checked on disk, not only in lftp's output.
"""
import os
import random
import shutil
import subprocess
import tempfile

from harness import Server, run, test

LFTP = shutil.which("lftp") or "lftp"


def payload(n, seed=1):
    return random.Random(seed).randbytes(n)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def lftp(srv, commands, user="harry", cwd=None, check=True, timeout=45):
    """Runs one lftp -c script logged in as user; returns the process.
    Its stderr holds lftp's protocol trace (debug 5)."""
    script = ("set net:max-retries 1; set net:timeout 5; "
              "set net:reconnect-interval-base 1; set ftp:ssl-allow no; "
              "set cmd:fail-exit yes; set xfer:clobber yes; "
              "set cmd:interactive no; debug 5; "
              "open -u %s,%s ftp://127.0.0.1:%d; %s"
              % (user, srv.users[user], srv.port, commands))
    p = subprocess.run([LFTP, "-c", script], capture_output=True,
                       timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)
    p.out = p.stdout.decode(errors="replace")
    p.err = p.stderr.decode(errors="replace")
    if check:
        assert p.returncode == 0, "lftp exited %d for %r:\n%s\n%s" % (
            p.returncode, commands, p.out, p.err[-4000:])
    return p


def sent(p):
    """The commands lftp sent ("---> VERB ..." in its trace)."""
    return [l.split("---> ", 1)[1] for l in p.err.splitlines()
            if "---> " in l]


def tree(root):
    """{relative path: bytes or "dir"} for everything under root."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs:
            out[os.path.relpath(os.path.join(d, n), root)] = "dir"
        for n in files:
            out[os.path.relpath(os.path.join(d, n), root)] = \
                read(os.path.join(d, n))
    return out


class Local:
    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="burrow-lftp-")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *names):
        return os.path.join(self.dir, *names)


@test
def ls_root_and_subdir():
    with Server() as srv:
        h = srv.home("harry")
        write(os.path.join(h, "file one.txt"), b"x" * 42)
        write(os.path.join(h, "sub", "inner.bin"), b"y" * 7)
        p = lftp(srv, "ls")
        lines = p.out.splitlines()
        assert len(lines) == 2, p.out
        f = [l for l in lines if l.endswith(" file one.txt")]
        d = [l for l in lines if l.endswith(" sub")]
        assert f and f[0].startswith("-") and " 42 " in f[0], p.out
        assert d and d[0].startswith("d"), p.out
        p = lftp(srv, "ls sub")
        assert p.out.strip().endswith(" inner.bin"), p.out
        p = lftp(srv, "cls -1")
        assert sorted(p.out.split("\n")[:-1]) == ["file one.txt", "sub/"], \
            p.out


@test
def cd_and_pwd():
    with Server() as srv:
        os.makedirs(os.path.join(srv.home("harry"), "a", "b"))
        write(os.path.join(srv.home("harry"), "a", "b", "deep.txt"), b"d")
        p = lftp(srv, "cd a/b; pwd; ls; cd ..; pwd; cd /; pwd")
        lines = p.out.splitlines()
        assert lines[0].endswith(":%d/a/b" % srv.port), lines
        assert lines[1].endswith(" deep.txt"), lines
        assert lines[2].endswith(":%d/a" % srv.port), lines
        assert lines[3].rstrip("/").endswith(":%d" % srv.port) or \
            lines[3].endswith(":%d/" % srv.port), lines
        assert any(c.startswith("CWD ") and c.endswith("a/b")
                   for c in sent(p)), sent(p)
        # cd into what is not there fails
        p = lftp(srv, "cd nowhere", check=False)
        assert p.returncode != 0, p.out


@test
def mkdir_rmdir():
    with Server() as srv:
        h = srv.home("harry")
        lftp(srv, "mkdir newdir")
        assert os.path.isdir(os.path.join(h, "newdir"))
        lftp(srv, "mkdir -p x/y/z")
        assert os.path.isdir(os.path.join(h, "x", "y", "z"))
        # mkdir of an existing directory is an error
        p = lftp(srv, "mkdir newdir", check=False)
        assert p.returncode != 0
        lftp(srv, "rmdir newdir")
        assert not os.path.exists(os.path.join(h, "newdir"))
        # rmdir of a non-empty directory fails and keeps it
        p = lftp(srv, "rmdir x/y", check=False)
        assert p.returncode != 0
        assert os.path.isdir(os.path.join(h, "x", "y", "z"))
        lftp(srv, "rmdir x/y/z; rmdir x/y; rmdir x")
        assert os.listdir(h) == []


@test
def rm_files():
    with Server() as srv:
        h = srv.home("harry")
        for n in ("a.txt", "b.txt", "c.log"):
            write(os.path.join(h, n), n.encode())
        lftp(srv, "rm a.txt")
        assert sorted(os.listdir(h)) == ["b.txt", "c.log"]
        lftp(srv, "mrm *.txt")
        assert os.listdir(h) == ["c.log"]
        p = lftp(srv, "rm nothere", check=False)
        assert p.returncode != 0
        assert os.listdir(h) == ["c.log"]


def mode(path):
    return os.lstat(path).st_mode & 0o7777


@test
def chmod_files():
    """lftp's chmod is SITE CHMOD: files, a folder, a wildcard, and
    burrowd's refusals (bits outside chmod_mask, a link) as failures."""
    with Server() as srv:
        h = srv.home("harry")
        for n in ("a.txt", "b.sh", "c.sh", "d/in.txt"):
            write(os.path.join(h, n), n.encode())
            os.chmod(os.path.join(h, n), 0o644)
        os.symlink("a.txt", os.path.join(h, "ln"))
        p = lftp(srv, "chmod 600 a.txt; chmod 750 d; "
                 "glob chmod 755 *.sh")
        assert "SITE CHMOD 600 a.txt" in sent(p), sent(p)
        assert [mode(os.path.join(h, n)) for n in
                ("a.txt", "d", "b.sh", "c.sh", "d/in.txt")] == \
            [0o600, 0o750, 0o755, 0o755, 0o644]
        p = lftp(srv, "chmod 4755 b.sh", check=False)
        assert p.returncode != 0, p.out
        p = lftp(srv, "chmod 777 ln", check=False)
        assert p.returncode != 0, p.out
        assert mode(os.path.join(h, "b.sh")) == 0o755
        assert mode(os.path.join(h, "a.txt")) == 0o600


@test
def rm_recursive():
    with Server() as srv:
        h = srv.home("harry")
        write(os.path.join(h, "t", "a", "1.txt"), b"1")
        write(os.path.join(h, "t", "a", "2.txt"), b"2")
        write(os.path.join(h, "t", "b.txt"), b"b")
        write(os.path.join(h, "keep.txt"), b"k")
        lftp(srv, "rm -r t")
        assert os.listdir(h) == ["keep.txt"]


@test
def mv_rename_and_move():
    with Server() as srv:
        h = srv.home("harry")
        write(os.path.join(h, "old.txt"), b"moving")
        os.mkdir(os.path.join(h, "dest"))
        lftp(srv, "mv old.txt new.txt")
        assert not os.path.exists(os.path.join(h, "old.txt"))
        assert read(os.path.join(h, "new.txt")) == b"moving"
        lftp(srv, "mv new.txt dest/moved.txt")
        assert read(os.path.join(h, "dest", "moved.txt")) == b"moving"
        lftp(srv, "mv dest renamed-dir")
        assert read(os.path.join(h, "renamed-dir", "moved.txt")) == b"moving"
        p = lftp(srv, "mv missing other", check=False)
        assert p.returncode != 0
        assert not os.path.exists(os.path.join(h, "other"))


@test
def get_files():
    with Server() as srv, Local() as loc:
        h = srv.home("harry")
        files = {"empty": b"", "small.txt": b"line\r\nline\n",
                 "big.bin": payload(2 * 1024 * 1024 + 3, 2)}
        for n, d in files.items():
            write(os.path.join(h, n), d)
        write(os.path.join(h, "sub", "s.bin"), payload(999, 4))
        lftp(srv, "get big.bin; get small.txt -o renamed.txt; get empty; "
             "get sub/s.bin", cwd=loc.dir)
        assert read(loc.path("big.bin")) == files["big.bin"]
        assert read(loc.path("renamed.txt")) == files["small.txt"]
        assert read(loc.path("empty")) == b""
        assert read(loc.path("s.bin")) == payload(999, 4)
        p = lftp(srv, "get nothere", cwd=loc.dir, check=False)
        assert p.returncode != 0


@test
def put_files():
    with Server() as srv, Local() as loc:
        h = srv.home("harry")
        big = payload(3 * 1024 * 1024 + 1, 6)
        write(loc.path("big.bin"), big)
        write(loc.path("crlf.txt"), b"a\r\nb\nc\r")
        write(loc.path("zero"), b"")
        os.mkdir(os.path.join(h, "in"))
        lftp(srv, "put big.bin; put crlf.txt -o in/c.txt; put zero",
             cwd=loc.dir)
        assert read(os.path.join(h, "big.bin")) == big
        assert read(os.path.join(h, "in", "c.txt")) == b"a\r\nb\nc\r"
        assert read(os.path.join(h, "zero")) == b""
        # overwriting with a shorter file leaves nothing of the old one
        write(loc.path("big.bin"), b"now short")
        lftp(srv, "put big.bin", cwd=loc.dir)
        assert read(os.path.join(h, "big.bin")) == b"now short"


@test
def put_resume():
    with Server() as srv, Local() as loc:
        h = srv.home("harry")
        data = payload(1024 * 1024 + 4097, 8)
        write(loc.path("r.bin"), data)
        for cut in (1, 500000, len(data) - 1):
            write(os.path.join(h, "r.bin"), data[:cut])
            p = lftp(srv, "put -c r.bin", cwd=loc.dir)
            cmds = sent(p)
            assert any(c in ("REST %d" % cut, ) or c.startswith("APPE")
                       for c in cmds), (cut, cmds)
            assert read(os.path.join(h, "r.bin")) == data, cut


@test
def put_resume_after_partial_upload():
    """The partial file is what an upload through the server left."""
    with Server() as srv, Local() as loc:
        h = srv.home("harry")
        data = payload(777777, 10)
        write(loc.path("part", "p.bin"), data[:300000])
        write(loc.path("full", "p.bin"), data)
        lftp(srv, "put p.bin", cwd=loc.path("part"))
        assert read(os.path.join(h, "p.bin")) == data[:300000]
        p = lftp(srv, "put -c p.bin", cwd=loc.path("full"))
        assert "REST 300000" in sent(p) or any(
            c.startswith("APPE") for c in sent(p)), sent(p)
        assert read(os.path.join(h, "p.bin")) == data


@test
def get_resume():
    with Server() as srv, Local() as loc:
        data = payload(2 * 1024 * 1024 + 99, 12)
        write(os.path.join(srv.home("harry"), "g.bin"), data)
        for cut in (1, 1048576, len(data) - 1):
            write(loc.path("g.bin"), data[:cut])
            p = lftp(srv, "get -c g.bin", cwd=loc.dir)
            assert "REST %d" % cut in sent(p), (cut, sent(p))
            assert read(loc.path("g.bin")) == data, cut
        # a complete local copy stays as it is
        p = lftp(srv, "get -c g.bin", cwd=loc.dir)
        assert read(loc.path("g.bin")) == data


SAMPLE = {
    "top.txt": b"top level\n",
    "empty.dat": b"",
    "with space.bin": payload(3000, 20),
    "a/one.bin": payload(100000, 21),
    "a/b/two.txt": b"two\r\n",
    "a/b/c/three.bin": payload(65537, 22),
    "d/four.txt": b"4",
}
SAMPLE_DIRS = ["a", "a/b", "a/b/c", "d", "emptydir"]


def make_sample(root):
    for d in SAMPLE_DIRS:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for rel, data in SAMPLE.items():
        write(os.path.join(root, rel), data)


def sample_tree():
    t = dict(SAMPLE)
    t.update({d: "dir" for d in SAMPLE_DIRS})
    return t


@test
def mirror_download():
    with Server() as srv, Local() as loc:
        make_sample(os.path.join(srv.home("harry"), "proj"))
        lftp(srv, "mirror proj %s" % loc.path("got"))
        assert tree(loc.path("got")) == sample_tree()
        # a second mirror transfers nothing new and changes nothing
        lftp(srv, "mirror proj %s" % loc.path("got"))
        assert tree(loc.path("got")) == sample_tree()
        # the whole home, from the root
        lftp(srv, "mirror / %s" % loc.path("all"))
        assert tree(loc.path("all", "proj")) == sample_tree()


@test
def mirror_upload():
    with Server() as srv, Local() as loc:
        make_sample(loc.path("src"))
        lftp(srv, "mirror -R %s up" % loc.path("src"))
        assert tree(os.path.join(srv.home("harry"), "up")) == sample_tree()
        # a changed file and a new one are sent again; --delete removes
        # what is gone locally
        write(loc.path("src", "top.txt"), b"changed, and longer than before")
        write(loc.path("src", "d", "new.txt"), b"new")
        os.remove(loc.path("src", "a", "b", "two.txt"))
        lftp(srv, "mirror -R --delete %s up" % loc.path("src"))
        assert tree(os.path.join(srv.home("harry"), "up")) == \
            tree(loc.path("src"))


@test
def mirror_roundtrip():
    with Server() as srv, Local() as loc:
        make_sample(loc.path("orig"))
        lftp(srv, "mirror -R %s tree; mirror tree %s"
             % (loc.path("orig"), loc.path("back")))
        assert tree(loc.path("back")) == sample_tree()


@test
def cat_and_session_reuse():
    """Several commands in one lftp session over one control connection."""
    with Server() as srv, Local() as loc:
        h = srv.home("harry")
        write(os.path.join(h, "c.txt"), b"cat me\n")
        p = lftp(srv, "cat c.txt; mkdir m; cd m; put %s -o x; cd ..; "
                 "mv m/x y; rm y; rmdir m; ls"
                 % os.path.join(h, "c.txt"), cwd=loc.dir)
        assert p.out.startswith("cat me\n"), p.out
        assert os.listdir(h) == ["c.txt"], os.listdir(h)
        assert p.err.count("---> USER ") == 1, p.err


@test
def data_modes():
    """get and put with EPSV, and in active mode (PORT)."""
    with Server() as srv, Local() as loc:
        h = srv.home("harry")
        data = payload(300000, 30)
        write(os.path.join(h, "m.bin"), data)
        write(loc.path("u.bin"), data[::-1])
        for setting, verb in (("set ftp:prefer-epsv yes", "EPSV"),
                              ("set ftp:passive-mode no", "PORT")):
            p = lftp(srv, "%s; ls; get m.bin -o got.bin; put u.bin"
                     % setting, cwd=loc.dir)
            verbs = [c.split(" ")[0] for c in sent(p)]
            assert verb in verbs, (setting, verbs)
            assert "m.bin" in p.out
            assert read(loc.path("got.bin")) == data, setting
            assert read(os.path.join(h, "u.bin")) == data[::-1], setting
            os.remove(loc.path("got.bin"))
            os.remove(os.path.join(h, "u.bin"))


@test
def bad_login_fails():
    with Server(users={"harry": "pw"}) as srv:
        srv.users["harry"] = "wrong"
        p = lftp(srv, "ls", check=False, timeout=30)
        assert p.returncode != 0
        assert "530" in p.err, p.err[-2000:]


if __name__ == "__main__":
    run()
