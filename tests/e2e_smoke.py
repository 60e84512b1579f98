"""e2e_smoke: a login, an upload and a download through ftplib."""
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, test, run  # noqa: E402


@test
def upload_download_roundtrip():
    with Server(users={"harry": "pw"}) as srv:
        ftp = srv.ftp("harry")
        data = os.urandom(300000)
        ftp.storbinary("STOR blob", io.BytesIO(data))
        out = io.BytesIO()
        ftp.retrbinary("RETR blob", out.write)
        assert out.getvalue() == data
        assert ftp.size("blob") == len(data)
        ftp.quit()


run()
