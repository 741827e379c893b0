"""The SMTP password never crosses a clear connection to another machine (issue #16, item 12).

With ``smtp_security = "none"`` and ``smtp_user`` set, the login would go out
as AUTH PLAIN in clear text. It is allowed only when the server is on this
machine (a loopback address); anywhere else the digest is refused before the
password is sent. "Anywhere else" is a real server on a non-loopback address,
10.20.30.1, inside a private network namespace (``unshare -rn``) that holds
nothing but the loopback interface: no packet leaves the test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import scan_executable
from tests.mounts import need_namespaces
from tests.test_digest import seed_basic

_DRIVER = r"""
import json, os, subprocess, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

folder, scan, address = sys.argv[1], sys.argv[2], sys.argv[3]
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
if address != "127.0.0.1":
    subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], check=True)
logins, messages = [], []

class Handler:
    async def handle_DATA(self, server, session, envelope):
        messages.append(envelope.rcpt_tos)
        return "250 OK"

def authenticator(server, session, envelope, mechanism, auth_data):
    logins.append(auth_data.password.decode())
    return AuthResult(success=True)

controller = Controller(Handler(), hostname=address, port=2525, authenticator=authenticator,
                        auth_require_tls=False)
controller.start()
with open(os.path.join(folder, "scanner.toml"), "w") as config:
    config.write('db = "scan.db"\n[company]\nname = "Acme"\n[digest]\nto = ["ops@example.com"]\n'
                 f'from = "scan@example.com"\nsmtp_host = "{address}"\nsmtp_port = 2525\n'
                 'smtp_security = "none"\nsmtp_user = "scanbot"\n')
env = {**os.environ, "SCAN_SMTP_PASSWORD": "s3cret-pw", "NO_COLOR": "1"}
done = subprocess.run([scan, "digest"], cwd=folder, capture_output=True, text=True, env=env,
                      timeout=120)
controller.stop()
print(json.dumps({"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                  "logins": logins, "messages": messages}))
"""


def digest_in_private_network(folder: Path, address: str) -> dict:
    need_namespaces()
    probe = subprocess.run(
        ["unshare", "-rn", "ip", "link", "set", "lo", "up"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip("unprivileged network namespaces (unshare -rn) are not available")
    done = subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", _DRIVER, str(folder), scan_executable(), address],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_no_clear_text_login_to_a_server_elsewhere(tmp_path):
    seed = seed_basic(tmp_path)
    result = digest_in_private_network(tmp_path, "10.20.30.1")
    assert result["returncode"] == 1, result
    assert result["logins"] == [] and result["messages"] == []
    assert result["stderr"].splitlines() == [
        "Error: refusing to send the SMTP password in clear text to 10.20.30.1:2525, which "
        'is not on this machine; set smtp_security = "starttls" or "tls"'
    ]
    assert seed.sent_digests() == []  # left for the next digest


def test_clear_text_login_to_a_relay_on_this_machine_is_allowed(tmp_path):
    seed = seed_basic(tmp_path)
    result = digest_in_private_network(tmp_path, "127.0.0.1")
    assert result["returncode"] == 0, result
    assert result["logins"] == ["s3cret-pw"] and result["messages"] == [["ops@example.com"]]
    assert len(seed.sent_digests()) == 1
