#!/usr/bin/python3
# Generates everything the test world's OpenLDAP needs, into OL_DIR:
#   slapd.conf (one slapd, three mdb databases), <db>.ldif for slapadd, world.json (the three
#   DirectoryInfo objects of test/world/types.ts: openldap, openldapBig, openldapTiny).
# usage: gen-openldap.py OL_DIR LDAP_PORT LDAPS_PORT BIG_USERS
# Trees (all users inetOrgPerson with uid, cn, sn, givenName, mail, password Passw0rd!):
#   dc=example,dc=org  "small": 40 users in ou=people: user00001..user00035 (user00031.. in ou=contractors,ou=people),
#                      alice (normal), carol+dave (no mail), erin+frank (one shared mail)
#   dc=big,dc=test     BIG_USERS users user00001.. in ou=people (user20000 without mail, user19998+user19999 share one)
#   dc=tiny,dc=test    10 users user01..user10 in ou=people (user10 without mail, user08+user09 share one)
# Each tree: rootdn cn=admin,<suffix> / admin-secret; read-only cn=readonly,<suffix> / readonly-secret
# (reads everything but userPassword). Un-paged searches stop at 1000 entries (sizeLimitExceeded,
# like AD's MaxPageSize); paged searches return everything.
import base64, hashlib, json, os, sys

ol_dir, ldap_port, ldaps_port, big_users = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
USER_PASSWORD, RO_PASSWORD, ADMIN_PASSWORD = "Passw0rd!", "readonly-secret", "admin-secret"

def ssha(pw):
    salt = os.urandom(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(pw.encode() + salt).digest() + salt).decode()

user_hash = ssha(USER_PASSWORD)

def person(uid, parent, given, sn, mail):
    lines = ["dn: uid=%s,%s" % (uid, parent), "objectClass: inetOrgPerson", "uid: " + uid,
             "cn: %s %s" % (given, sn), "givenName: " + given, "sn: " + sn]
    if mail:
        lines.append("mail: " + mail)
    lines.append("userPassword: " + user_hash)
    return "\n".join(lines) + "\n\n"

def ou(name, parent):
    return "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n" % (name, parent, name)

def header(suffix, org):
    dc = suffix.split(",")[0].split("=")[1]
    return ("dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: %s\no: %s\n\n" % (suffix, dc, org)
            + "dn: cn=readonly,%s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
              "cn: readonly\ndescription: read-only bind account (dirlink test world)\nuserPassword: %s\n\n"
              % (suffix, ssha(RO_PASSWORD))
            + ou("people", suffix) + ou("groups", suffix))

trees = {}  # key -> (suffix, ldif chunks, info)

def tree(key, suffix, org, build):
    people = "ou=people," + suffix
    chunks = [header(suffix, org)]
    count, users = build(people, suffix.replace("dc=", "").replace(",", "."), chunks)
    with open(os.path.join(ol_dir, "ldif", key + ".ldif"), "w") as f:
        f.write("".join(chunks))
    with open(os.path.join(ol_dir, "tls", "names.txt")) as f:
        cert_names = [l.strip() for l in f if l.strip()]
    trees[key] = {
        "kind": "openldap",
        "url": "ldap://127.0.0.1:%d" % ldap_port,
        "ldapsUrl": "ldaps://127.0.0.1:%d" % ldaps_port,
        "caFile": os.path.join(ol_dir, "tls", "ca.pem"),
        "certNames": cert_names,
        "baseDn": suffix,
        "usersDn": people,
        "bindDn": "cn=readonly," + suffix,
        "bindPassword": RO_PASSWORD,
        "adminDn": "cn=admin," + suffix,
        "adminPassword": ADMIN_PASSWORD,
        "userPassword": USER_PASSWORD,
        "userCount": count,
        "users": users,
    }

def small(people, domain, c):
    contractors = "ou=contractors," + people
    c.append(ou("contractors", people))
    c.append(person("alice", people, "Alice", "Normal", "alice@" + domain))
    c.append(person("carol", people, "Carol", "Nomail", None))
    c.append(person("dave", people, "Dave", "Nomail", None))
    c.append(person("erin", people, "Erin", "Shared", "shared.mailbox@" + domain))
    c.append(person("frank", people, "Frank", "Shared", "shared.mailbox@" + domain))
    for i in range(1, 36):
        uid = "user%05d" % i
        c.append(person(uid, contractors if i > 30 else people, "Given%d" % i, "Surname%d" % i, "%s@%s" % (uid, domain)))
    return 40, {"normal": "alice", "noMail": ["carol", "dave"], "duplicateMail": ["erin", "frank"]}

def numbered(n, width):
    def build(people, domain, c):
        names = ["user%0*d" % (width, i) for i in range(1, n + 1)]
        for i, uid in enumerate(names, 1):
            if i == n:
                mail = None
            elif i in (n - 2, n - 1):
                mail = "shared.mailbox@" + domain
            else:
                mail = "%s@%s" % (uid, domain)
            c.append(person(uid, people, "Given%d" % i, "Surname%d" % i, mail))
        return n, {"normal": names[0], "noMail": [names[-1]], "duplicateMail": [names[-3], names[-2]]}
    return build

os.makedirs(os.path.join(ol_dir, "ldif"), exist_ok=True)
tree("openldap", "dc=example,dc=org", "Example Org (dirlink test world)", small)
tree("openldapBig", "dc=big,dc=test", "Big Test (dirlink test world)", numbered(big_users, 5))
tree("openldapTiny", "dc=tiny,dc=test", "Tiny Test (dirlink test world)", numbered(10, 2))

conf = ["""# generated by test/world/ldap/gen-openldap.py
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile  %(d)s/run/slapd.pid
argsfile %(d)s/run/slapd.args
loglevel none
TLSCACertificateFile  %(d)s/tls/ca.pem
TLSCertificateFile    %(d)s/tls/server.pem
TLSCertificateKeyFile %(d)s/tls/server.key
# AD-like: un-paged searches stop after 1000 entries (sizeLimitExceeded), paged ones get everything
sizelimit size.soft=1000 size.hard=unlimited size.prtotal=unlimited
""" % {"d": ol_dir}]
for key, info in trees.items():
    suffix = info["baseDn"]
    conf.append("""
database mdb
maxsize 1073741824
suffix "%(s)s"
rootdn "cn=admin,%(s)s"
rootpw %(rootpw)s
directory %(d)s/db/%(k)s
dbnosync
index objectClass eq
index uid,mail,cn eq,sub
index entryUUID eq
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by dn.exact="cn=readonly,%(s)s" read
  by self read
  by * none
""" % {"s": suffix, "rootpw": ssha(ADMIN_PASSWORD), "d": ol_dir, "k": key})
    os.makedirs(os.path.join(ol_dir, "db", key), exist_ok=True)
with open(os.path.join(ol_dir, "slapd.conf"), "w") as f:
    f.write("".join(conf))
with open(os.path.join(ol_dir, "world.json"), "w") as f:
    json.dump(trees, f, indent=2)
