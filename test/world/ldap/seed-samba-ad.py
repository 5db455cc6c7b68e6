#!/usr/bin/python3
# Seeds the test world's Samba AD DC, offline, straight into private/sam.ldb through Samba's own
# module stack (objectGUID, objectSid, ... are generated as for an LDAP add), then writes
# <dir>/world.json: the DirectoryInfo (test/world/types.ts) that describes what was seeded.
#
# Must run with Debian's /usr/bin/python3 (the samba bindings are not visible to other pythons).
# usage: seed-samba-ad.py SAMBA_DIR USER_COUNT
#
# Layout (base DC=example,DC=test):
#   OU=Service Accounts       CN=svc-dirlink (read-only: an ordinary domain user, password never expires)
#   OU=People                 the users DN: the special accounts live directly in it, the USER_COUNT
#     OU=Engineering, ...     bulk users user00001.. only in nested OUs below it (1 to 3 levels deep),
#                             so only a subtree search under OU=People finds everybody.
# Users' RDN is the display name (CN=Given7 Surname7, CN=Alice Normal), as in real domains.
# Bulk users: sAMAccountName userNNNNN, UPN userNNNNN@example.test, mail = UPN except every 7th
# user, whose mail is givenN.surnameN@mail.example.test (differs from the UPN).
# Passwords of seeded users are stored as NT hash only (DSDB_CONTROL_BYPASS_PASSWORD_HASH: simple
# bind and NTLM work, Kerberos AES keys are not made); pwdLastSet must then be set explicitly,
# else every bind fails 'data 773'. The service account gets a full password (Kerberos too).
import json, os, sys, time
import ldb
import samba.dsdb as dsdb
from samba.auth import system_session
from samba.credentials import Credentials
from samba.param import LoadParm
from samba.samdb import SamDB

samba_dir, count = sys.argv[1], int(sys.argv[2])
USER_PASSWORD = "Passw0rd!"
SVC_NAME, SVC_PASSWORD = "svc-dirlink", "Svc-Passw0rd!"
ADMIN_PASSWORD = os.environ.get("AD_ADMIN_PASSWORD", "Adm1n-Passw0rd!")

lp = LoadParm()
lp.load(os.path.join(samba_dir, "etc", "smb.conf"))
samdb = SamDB(url=os.path.join(samba_dir, "private", "sam.ldb"), session_info=system_session(), lp=lp)
base = str(samdb.domain_dn())
realm = lp.get("realm").lower()
t0 = time.time()

NT_HASH_ONLY = ["local_oid:%s:0" % dsdb.DSDB_CONTROL_BYPASS_PASSWORD_HASH_OID]
cred = Credentials()
cred.set_password(USER_PASSWORD)
nt_hash = cred.get_nt_hash()
nttime_now = str(int((time.time() + 11644473600) * 10**7))

def add_ou(dn):
    samdb.add({"dn": dn, "objectClass": "organizationalUnit"})

def add_user(parent, sam, given=None, sn=None, mail=None, uac=512, pwd_last_set=nttime_now):
    display = " ".join(x for x in (given, sn) if x)
    msg = {
        # like accounts made in "AD Users and Computers": the RDN is the display name
        "dn": "CN=%s,%s" % (display or sam, parent),
        "objectClass": "user",
        "sAMAccountName": sam,
        "userPrincipalName": "%s@%s" % (sam, realm),
        "unicodePwd": nt_hash,
        "userAccountControl": str(uac),
        "pwdLastSet": pwd_last_set,
    }
    if given: msg["givenName"] = given
    if sn: msg["sn"] = sn
    if display: msg["displayName"] = display
    if mail: msg["mail"] = mail
    samdb.add(msg, controls=NT_HASH_ONLY)

samdb.transaction_start()
try:
    # test-friendly domain policy: no complexity/history, passwords never expire (a cached
    # tarball may be restored months later), no lockout
    m = ldb.Message(ldb.Dn(samdb, base))
    for attr, val in (("pwdProperties", "0"), ("pwdHistoryLength", "0"), ("minPwdAge", "0"),
                      ("maxPwdAge", "-9223372036854775808"), ("lockoutThreshold", "0")):
        m[attr] = ldb.MessageElement(val, ldb.FLAG_MOD_REPLACE, attr)
    samdb.modify(m)

    svc_ou = "OU=Service Accounts,%s" % base
    add_ou(svc_ou)
    samdb.add({
        "dn": "CN=%s,%s" % (SVC_NAME, svc_ou),
        "objectClass": "user",
        "sAMAccountName": SVC_NAME,
        "userPrincipalName": "%s@%s" % (SVC_NAME, realm),
        "description": "dirlink read-only LDAP bind account (test world)",
        "unicodePwd": ('"%s"' % SVC_PASSWORD).encode("utf-16-le"),
        "userAccountControl": str(512 | 0x10000),  # NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD
    })

    users_dn = "OU=People,%s" % base
    add_ou(users_dn)
    nested = ["OU=Engineering", "OU=Backend,OU=Engineering", "OU=Frontend,OU=Engineering",
              "OU=Sales", "OU=EMEA,OU=Sales", "OU=Berlin,OU=EMEA,OU=Sales", "OU=Americas,OU=Sales",
              "OU=Support"]
    nested_dns = ["%s,%s" % (rdns, users_dn) for rdns in nested]
    for dn in nested_dns:
        add_ou(dn)

    for i in range(1, count + 1):
        sam = "user%05d" % i
        given, sn = "Given%d" % i, "Surname%d" % i
        mail = ("given%d.surname%d@mail.%s" % (i, i, realm)) if i % 7 == 0 else "%s@%s" % (sam, realm)
        add_user(nested_dns[i % len(nested_dns)], sam, given, sn, mail)

    # special accounts, directly in the users DN
    add_user(users_dn, "alice", "Alice", "Normal", "alice@%s" % realm)
    add_user(users_dn, "bob", "Bob", "Builder", "robert.builder@mail.%s" % realm)
    add_user(users_dn, "carol", "Carol", "Nomail")
    add_user(users_dn, "dave", "Dave", "Nomail")
    add_user(users_dn, "erin", "Erin", "Shared", "shared.mailbox@%s" % realm)
    add_user(users_dn, "frank", "Frank", "Shared", "shared.mailbox@%s" % realm)
    add_user(users_dn, "gina", "Gina", "Disabled", "gina@%s" % realm, uac=514)  # ACCOUNTDISABLE
    add_user(users_dn, "hank", "Hank", "Mustchange", "hank@%s" % realm, pwd_last_set="0")
    samdb.transaction_commit()
except Exception:
    samdb.transaction_cancel()
    raise

with open(os.path.join(samba_dir, "tls", "names.txt")) as f:
    cert_names = [l.strip() for l in f if l.strip()]
info = {
    "kind": "samba-ad",
    "url": "ldap://127.0.0.1:389",
    "ldapsUrl": "ldaps://127.0.0.1:636",
    "caFile": os.path.join(samba_dir, "tls", "ca.pem"),
    "certNames": cert_names,
    "baseDn": base,
    "usersDn": users_dn,
    "bindDn": "CN=%s,%s" % (SVC_NAME, svc_ou),
    "bindUpn": "%s@%s" % (SVC_NAME, realm),
    "bindPassword": SVC_PASSWORD,
    "adminDn": "CN=Administrator,CN=Users,%s" % base,
    "adminPassword": ADMIN_PASSWORD,
    "userPassword": USER_PASSWORD,
    "userCount": count + 8,
    "users": {
        "normal": "alice",
        "mailDiffers": "bob",
        "noMail": ["carol", "dave"],
        "duplicateMail": ["erin", "frank"],
        "disabled": "gina",
        "mustChangePassword": "hank",
    },
}
with open(os.path.join(samba_dir, "world.json"), "w") as f:
    json.dump(info, f, indent=2)
print("seeded %d users (+8 special) under %s in %.1fs" % (count, users_dn, time.time() - t0), file=sys.stderr)
