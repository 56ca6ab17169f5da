"""A real OpenLDAP server (Debian's slapd) on loopback for the directory sign-in tests: a throwaway
database loaded with slapadd from an LDIF of people and groups, started in the foreground."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

SUFFIX = "dc=ahvaz,dc=example"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-admin-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"

CONFIG = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{admin}"
rootpw {password}
directory {dir}/data
access to * by * read
"""


def person(uid: str, given: str, surname: str, password: str) -> str:
    return (
        f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {given} {surname}\n"
        f"givenName: {given}\nsn: {surname}\nmail: {uid}@ahvaz.example\nuserPassword: {password}\n"
    )


def group(name: str, members: list[str]) -> str:
    lines = [f"dn: cn={name},{GROUPS}", "objectClass: groupOfNames", f"cn: {name}"]
    lines += [f"member: uid={m},{PEOPLE}" for m in members] or [f"member: {ADMIN_DN}"]
    return "\n".join(lines) + "\n"


def ldif(people: list[tuple], groups: dict[str, list[str]]) -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Ahvaz\ndc: ahvaz\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
        *(person(*p) for p in people),
        *(group(name, members) for name, members in groups.items()),
    ]
    return "\n".join(entries)


class DirectoryServer:
    def __init__(self, root: Path, content: str):
        self.root = root
        self.content = content
        self.proc = None
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.uri = f"ldap://127.0.0.1:{self.port}"

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("slapd") or Path("/usr/sbin/slapd").exists())

    def start(self):
        data = self.root / "data"
        if not data.exists():
            data.mkdir(parents=True)
            config = self.root / "slapd.conf"
            config.write_text(CONFIG.format(dir=self.root, suffix=SUFFIX, admin=ADMIN_DN, password=ADMIN_PASSWORD))
            (self.root / "seed.ldif").write_text(self.content)
            subprocess.run(
                ["/usr/sbin/slapadd", "-f", str(config), "-l", str(self.root / "seed.ldif")],
                check=True,
                capture_output=True,
            )
        self.proc = subprocess.Popen(
            ["/usr/sbin/slapd", "-f", str(self.root / "slapd.conf"), "-h", self.uri + "/", "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("slapd did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
