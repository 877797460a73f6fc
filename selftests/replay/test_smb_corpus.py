#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# test_smb_corpus.py XDPHUNT: `XDPHUNT replay` over the public corpus, with the
# SMB deep-inspection hits checked against the tshark truth files.
# Stdlib only. Corpus: $XH_CORPUS_DIR, else $XH_SHARED_DIR/corpus/public.
#
# Per capture (names compared ASCII case-insensitively: one hit per
# normalised name and flow is the documented behaviour):
#   smb.admin_share / smb.ipc_share: the set of tree-connect paths in the hits
#     equals the truth's tree_connects whose share is ADMIN$, a drive letter X$
#     (admin) or IPC$ (ipc); no other path may appear.
#   smb.named_pipe: SMB2 names == the truth's create_names_by_share["IPC$"];
#     SMB1 pipe names (the truth does not attribute SMB1 creates to a share)
#     must be among the truth's "(smb1)" names.
#   smb.tool_transfer: every file name must be an executable name (by its
#     file or NTFS stream name's extension, selftests/lib/smb_names.py) that
#     the truth lists on a share other than IPC$ (admin or not).
#   smb.admin_read / smb.admin_listing, in captures whose truth saw an admin
#     share: exactly the findings tshark's decode gives (one read per flow
#     and file, one listing per admin tree: selftests/e2e/smb_pipes.py); a
#     read's smb.attack is what the built-in `file` rules give its name
#     (selftests/lib/smb_names.py: [T1039, T1059.003] for Impacket's remote
#     shell output "__*").
#   smb.v1 only where the truth saw SMB1, smb.encrypted only where it saw
#     transform headers.
#   smb.exploit: exactly the SMB1 requests of MS17-010 tooling tshark
#     decodes, per flow and kind (selftests/e2e/check_smb.py): the check
#     (PeekNamedPipe on FID 0), DoublePulsar's TRANSACTION2 SESSION_SETUP
#     and EternalBlue's TRANSACTION2_SECONDARY continuing an NT_TRANSACT;
#     the answers of an unpatched server and of an implant. The corpus must
#     hold each request kind (a detection no capture exercises would pass
#     unseen).
# Principled exclusions, counted and printed: a truth name whose request did
# not start its TCP segment (xdphunt does not reassemble; found with the
# capture walker of test_corpus.py), and truth lists cut at 40 names (extras unchecked).
import glob
import ipaddress
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from test_corpus import read_frames  # noqa: E402
from smb_names import admin_read_attack, exec_name  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from smb_pipes import admin_file_findings, pipe_view  # noqa: E402
from check_smb import brute_force_hits, exploit_requests  # noqa: E402

REPLAY_TIMEOUT_S = 180
DEEP = {"smb.admin_share", "smb.ipc_share", "smb.named_pipe", "smb.tool_transfer", "smb.v1",
        "smb.encrypted", "smb.admin_read", "smb.admin_listing", "smb.exploit", "smb.brute_force"}
ADMIN_FILES = {"smb.admin_read": "filename", "smb.admin_listing": "directory"}


def share_kind(path):
    last = path.replace("/", "\\").rstrip("\\").split("\\")[-1].upper()
    if last == "IPC$":
        return "ipc"
    if last == "ADMIN$" or (len(last) == 2 and last[1] == "$" and last[0].isalpha()):
        return "admin"
    return None


# ---- which SMB names start a TCP segment (frames: test_corpus.read_frames) --

def tcp_payload(lt, d):
    if lt == 1:
        et, d = struct.unpack("!H", d[12:14])[0], d[14:]
        while et in (0x8100, 0x88A8) and len(d) >= 4:
            et, d = struct.unpack("!H", d[2:4])[0], d[4:]
    elif lt == 113:
        et, d = struct.unpack("!H", d[14:16])[0], d[16:]
    elif lt == 276:
        et, d = struct.unpack("!H", d[0:2])[0], d[20:]
    elif lt in (0, 109):
        et, d = (0x0800 if d[:4] in (b"\x02\0\0\0", b"\0\0\0\x02") else 0x86DD), d[4:]
    elif lt in (12, 14, 101, 228, 229):
        et = 0x0800 if d and d[0] >> 4 == 4 else 0x86DD
    else:
        return None
    if et == 0x0800 and len(d) >= 20 and d[9] == 6 and not struct.unpack("!H", d[6:8])[0] & 0x1FFF:
        ihl, tot = (d[0] & 0xF) * 4, struct.unpack("!H", d[2:4])[0]
        d = d[ihl:tot] if tot >= ihl else d[ihl:]
    elif et == 0x86DD and len(d) >= 40 and d[6] == 6:
        d = d[40:40 + struct.unpack("!H", d[4:6])[0]]
    else:
        return None
    if len(d) < 20:
        return None
    return d[(d[12] >> 4) * 4:]


def utf16_names(payload):
    """UTF-16LE strings of 2+ characters in a payload, lower case (no SMB
    parsing: only to see which names lie in segments that start a message)."""
    out, cur = set(), []
    for i in range(0, len(payload) - 1, 2):
        lo, hi = payload[i], payload[i + 1]
        if hi == 0 and 0x20 <= lo < 0x7F:
            cur.append(chr(lo))
            continue
        if len(cur) >= 2:
            out.add("".join(cur).lower())
        cur = []
    if len(cur) >= 2:
        out.add("".join(cur).lower())
    return out


def names_at_segment_start(path):
    """Lower-case UTF-16 strings found in TCP segments that begin with a
    NetBIOS header and an SMB2 header, at both byte parities."""
    seen = set()
    for lt, d in read_frames(path):
        p = tcp_payload(lt, d)
        if not p or len(p) < 8 or p[0] != 0 or p[5:8] != b"SMB" or p[4] not in (0xFE, 0xFF):
            continue
        seen |= utf16_names(p) | utf16_names(p[1:])
        # SMB1 OEM paths: ASCII runs
        run = []
        for c in p:
            if 0x20 <= c < 0x7F:
                run.append(chr(c))
            else:
                if len(run) >= 2:
                    seen.add("".join(run).lower())
                run = []
    return seen


def seen_whole(name, starts):
    n = name.lower()
    return any(n in s for s in starts)


def check(xh, cap, tot):
    truth = json.load(open(cap + ".json"))
    smb = truth.get("smb", {})
    try:
        p = subprocess.run([xh, "replay", cap], capture_output=True, timeout=REPLAY_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return False, f"replay did not finish within {REPLAY_TIMEOUT_S}s"
    why, notes = [], []
    if p.returncode != 0:
        why.append(f"exit {p.returncode}: {p.stderr.decode(errors='replace').strip()[-200:]}")
    hits = []
    for line in p.stdout.decode(errors="replace").splitlines():
        try:
            h = json.loads(line)
        except ValueError:
            why.append("a line is not JSON")
            continue
        if h.get("rule") in DEEP:
            hits.append(h)
    # smb.brute_force: the session setups tshark sees answered with a failed
    # logon, counted per client and window as the kernel counts them
    want_bf = brute_force_hits(cap, truth.get("tshark_options") or ()) \
        if smb.get("versions") else set()
    if not hits and not want_bf and not smb.get("tree_connects") \
            and not smb.get("create_names_by_share") \
            and not smb.get("smb3_encrypted_transform_packets"):
        return True, None
    starts = None

    def at_start(name):
        nonlocal starts
        if starts is None:
            starts = names_at_segment_start(cap)
        return seen_whole(name, starts)

    # Tree connects.
    want = {}
    for t in smb.get("tree_connects", []):
        k = share_kind(t["path"])
        if k:
            want[t["path"].lower()] = "smb.admin_share" if k == "admin" else "smb.ipc_share"
    got = {}
    for h in hits:
        if h["rule"] in ("smb.admin_share", "smb.ipc_share"):
            s = h.get("smb", {}).get("share")
            if s is None:
                why.append(f"{h['rule']} without smb.share")
                continue
            got[s.lower()] = h["rule"]
    for path, rule in want.items():
        tot["paths"] += 1
        if got.get(path) == rule:
            tot["paths_ok"] += 1
        elif path not in got and not at_start(path.split("\\")[-1]):
            tot["paths_excluded"] += 1
            notes.append(f"{path} excluded (not at a segment start)")
        else:
            why.append(f"tree connect {path!r} ({rule}) not reported (got {got.get(path)})")
    for path, rule in got.items():
        if want.get(path) != rule:
            why.append(f"{rule} {path!r} not in the truth's admin/IPC$ tree connects")

    # Pipes.
    names = smb.get("create_names_by_share", {})
    ipc = {n.lower() for n in names.get("IPC$", [])}
    smb1 = {n.lower() for n in names.get("(smb1)", [])}
    cut = any(len(v) >= 40 for v in names.values())
    gotp = {}
    for h in hits:
        if h["rule"] == "smb.named_pipe":
            n = h.get("smb", {}).get("pipe")
            if n is None:
                why.append("smb.named_pipe without smb.pipe")
                continue
            gotp[n.lower()] = h["smb"].get("version")
    for n in sorted(ipc):
        if n == "":
            continue
        tot["pipes"] += 1
        if n in gotp:
            tot["pipes_ok"] += 1
        elif not at_start(n):
            tot["pipes_excluded"] += 1
            notes.append(f"pipe {n} excluded (not at a segment start)")
        else:
            why.append(f"pipe {n!r} on IPC$ not reported")
    for n, ver in gotp.items():
        if ver == "1":
            tot["smb1_pipes"] += 1
            if n not in smb1 and not cut:
                why.append(f"SMB1 pipe {n!r} not among the truth's SMB1 names")
        elif n not in ipc and not cut:
            why.append(f"pipe {n!r} not among the truth's IPC$ names")

    # Tool transfers: only executables the truth saw on disk shares.
    admin_exec = set()
    for share, ns in names.items():
        if share_kind(share) != "ipc":
            admin_exec |= {n.lower() for n in ns if exec_name(n)[0]}
    for h in hits:
        if h["rule"] == "smb.tool_transfer" and "mime_type" in h.get("smb", {}):
            # Found by its PE bytes, which the truth files do not hold:
            # selftests/e2e/check_smb.py judges these against tshark.
            tot["content_transfers"] += 1
        elif h["rule"] == "smb.tool_transfer":
            tot["transfers"] += 1
            n = h.get("smb", {}).get("filename", "").lower()
            if n not in admin_exec and n.lstrip("\\") not in {a.lstrip("\\") for a in admin_exec} \
                    and not cut:
                why.append(f"tool transfer {n!r} not an executable the truth saw on a disk share")
    tot["transfer_candidates"] += len(admin_exec)

    # Reads and listings on admin shares, against tshark's decode.
    got_af = set()
    for h in hits:
        if h["rule"] == "smb.admin_read":
            n = h.get("smb", {}).get("filename")
            ids = [a.get("technique_id") for a in h.get("smb", {}).get("attack", [])]
            want_ids = admin_read_attack(n)
            tot["file_rule_reads"] += bool(want_ids)
            if ids != want_ids:
                why.append(f"smb.admin_read {n!r}: smb.attack {ids}")
        if h["rule"] in ADMIN_FILES:
            n = h.get("smb", {}).get(ADMIN_FILES[h["rule"]])
            got_af.add((h["rule"], (str(ipaddress.ip_address(h["src_ip"])), h["src_port"],
                                    str(ipaddress.ip_address(h["dest_ip"])), h["dest_port"]),
                        n.lower() if n is not None else None))
    if smb.get("admin_shares_seen") or got_af:
        ops = []
        pipe_view(cap, extra=truth.get("tshark_options") or (), ops=ops)
        want_af, _ = admin_file_findings(ops, lambda t: share_kind(t or "") or "disk")
        tot["admin_files"] += len(want_af)
        tot["admin_files_ok"] += len(want_af & got_af)
        for r, f, n in sorted(want_af - got_af, key=str):
            why.append(f"{r} {f[0]}:{f[1]} {n!r} not reported")
        for r, f, n in sorted(got_af - want_af, key=str):
            why.append(f"{r} {f[0]}:{f[1]} {n!r} not in tshark's decode")

    if "smb1" in smb.get("versions", []):
        want_x = exploit_requests(cap, truth.get("tshark_options") or ())
        got_x = {(h["rule"], (h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"]),
                  h["smb"].get("exploit")) for h in hits if h["rule"] == "smb.exploit"}
        tot["exploit"] += len(want_x)
        kinds_seen.update(n for _, _, n in want_x)
        tot["exploit_ok"] += len(want_x & got_x)
        for r, f, n in sorted(want_x ^ got_x, key=str):
            why.append(f"{r} {f[0]}:{f[1]} {n}: " +
                       ("not reported" if (r, f, n) in want_x else "not in tshark's decode"))
    elif any(h["rule"] == "smb.exploit" for h in hits):
        why.append("smb.exploit where the truth saw no SMB1")
    got_bf = {(h["rule"], (h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"]), None)
              for h in hits if h["rule"] == "smb.brute_force"}
    tot["brute"] += len(want_bf)
    tot["brute_ok"] += len(want_bf & got_bf)
    for r, f, _ in sorted(want_bf ^ got_bf, key=str):
        why.append(f"{r} {f[0]}:{f[1]} -> {f[2]}:{f[3]}: " +
                   ("not reported" if (r, f, None) in want_bf else "not in tshark's decode"))

    vers = set(smb.get("versions", []))
    for h in hits:
        if h["rule"] == "smb.v1":
            tot["v1"] += 1
            if "smb1" not in vers:
                why.append("smb.v1 where the truth saw no SMB1")
        if h["rule"] == "smb.encrypted":
            tot["encrypted"] += 1
            if not smb.get("smb3_encrypted_transform_packets"):
                why.append("smb.encrypted where the truth saw no transform header")
    if cut:
        notes.append("truth name list cut at 40 (extras unchecked)")
    return not why, "; ".join(why) if why else ("; ".join(notes) if notes else None)


# the smb.exploit kinds tshark found across the corpus (check() adds)
kinds_seen = set()


def main():
    if len(sys.argv) != 2:
        print("usage: test_smb_corpus.py XDPHUNT", file=sys.stderr)
        return 2
    xh = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.environ.get("XH_SHARED_DIR")
    corpus = os.environ.get("XH_CORPUS_DIR") or (shared and os.path.join(shared, "corpus", "public")) \
        or os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "corpus", "public"))
    if not os.path.isdir(corpus):
        print(f"SKIP: smb_corpus: no corpus at {corpus} (set XH_CORPUS_DIR)")
        return 0
    if not os.access(xh, os.X_OK):
        print(f"SKIP: smb_corpus: {xh} not built (make)")
        return 0
    caps = sorted(c for c in glob.glob(os.path.join(corpus, "*"))
                  if os.path.isfile(c + ".json") and not c.endswith(".json"))
    tot = {k: 0 for k in ("paths", "paths_ok", "paths_excluded", "pipes", "pipes_ok",
                          "pipes_excluded", "smb1_pipes", "transfers", "transfer_candidates",
                          "v1", "encrypted", "admin_files", "admin_files_ok",
                          "content_transfers", "file_rule_reads", "exploit", "exploit_ok",
                          "brute", "brute_ok")}
    nfail = npass = 0
    for cap in caps:
        name = os.path.basename(cap)
        try:
            ok, msg = check(xh, cap, tot)
        except Exception as e:		# a broken truth file is a FAIL, not a crash
            ok, msg = False, f"{type(e).__name__}: {e}"
        if ok:
            npass += 1
            if msg:
                print(f"# smb {name}: {msg}")
        else:
            nfail += 1
            print(f"FAIL: smb_corpus {name}: {msg}")
    print(f"# smb corpus: {len(caps)} captures; tree paths {tot['paths_ok']}/{tot['paths']} reported, "
          f"{tot['paths_excluded']} excluded (not at a segment start); IPC$ pipes "
          f"{tot['pipes_ok']}/{tot['pipes']}, {tot['pipes_excluded']} excluded; SMB1 pipes "
          f"{tot['smb1_pipes']}; tool transfers {tot['transfers']} (of {tot['transfer_candidates']} "
          f"executable names on disk shares in the truth; those opened without write access are "
          f"not transfers), {tot['content_transfers']} by PE content; admin-share reads and "
          f"listings {tot['admin_files_ok']}/{tot['admin_files']} ({tot['file_rule_reads']} reads a "
          f"built-in `file` rule names); smb.v1 {tot['v1']}, smb.encrypted {tot['encrypted']}; "
          f"MS17-010 findings (tool requests, unpatched answers) {tot['exploit_ok']}/{tot['exploit']}; "
          f"failed-logon bursts (smb.brute_force) {tot['brute_ok']}/{tot['brute']}")
    if tot["brute"] == 0:
        nfail += 1
        print("FAIL: smb_corpus: the corpus should hold a burst of failed logons "
              "(elcabezzonn-aug19.pcapng)")
    for k in ("ms17_010_check", "doublepulsar", "eternalblue", "ms17_010_vulnerable"):
        if k not in kinds_seen:
            nfail += 1
            print(f"FAIL: smb_corpus: the corpus should hold MS17-010 tooling's {k} "
                  "(ndpi-smbv1.pcap, suricata-verify smb2-09)")
    if nfail == 0:
        print(f"PASS: smb_corpus ({npass} captures)")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
