#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# eternalblue_try.py SERVER USER PASSWORD: the transaction pair at the heart of
# EternalBlue (MS17-010), for selftests/e2e/test_smb_lab.sh and the coverage
# scenario ms17_010_scan, sent over SMB1 with Impacket's smb module as the
# public exploits send it (worawit's eternalblue_exploit7.py, Metasploit's
# ms17_010_eternalblue; suricata-verify's smb2-09 capture): on IPC$, an
# NT_TRANSACT of function 0 announcing 65558 data bytes (over TRANSACTION2's
# 16-bit counts) with 1000 of them, then the rest as TRANSACTION2_SECONDARY
# with the same MID. An unpatched Windows takes the secondaries for the
# NT_TRANSACT's and overflows in its FEA-list conversion. Detection traffic
# only: the data are zeros (no FEA list, no shellcode), only two of the
# secondaries are sent, and Samba does not mix transaction kinds. Prints what
# it sent; exits 0 when every request was sent (the answers do not matter).
import sys

from impacket import smb

TOTAL_DATA = 65558  # as the public exploits announce (0x10016)
FIRST = 1000
CHUNK = 4096


def send(conn, tid, mid, cmd, params, data):
    """One SMB1 message of command @cmd on tree @tid with MID @mid."""
    c = smb.SMBCommand(cmd)
    c["Parameters"] = params
    c["Data"] = data
    pkt = smb.NewSMBPacket()
    pkt["Tid"] = tid
    pkt["Mid"] = mid
    pkt.addCommand(c)
    conn.sendSMB(pkt)


def nt_transact(conn, tid, mid):
    """NT_TRANSACT of function 0: 30 parameter bytes, FIRST of TOTAL_DATA
    data bytes; the parameters follow the ByteCount (header 32, WordCount 1,
    19 words and one setup word, ByteCount 2), 4-aligned."""
    p = smb.SMBNTTransaction_Parameters()
    p["TotalParameterCount"] = 30
    p["TotalDataCount"] = TOTAL_DATA
    p["MaxParameterCount"] = 30
    p["MaxDataCount"] = 0
    p["ParameterCount"] = 30
    p["DataCount"] = FIRST
    p["Function"] = 0
    p["Setup"] = b"\0\0"
    off = 32 + 1 + 40 + 2
    pad1 = (4 - off % 4) % 4
    p["ParameterOffset"] = off + pad1
    p["DataOffset"] = off + pad1 + 30
    d = smb.SMBNTTransaction_Data()
    d["Pad1"] = b"\0" * pad1
    d["NT_Trans_Parameters"] = b"\0" * 30
    d["Pad2"] = b""
    d["NT_Trans_Data"] = b"\0" * FIRST
    send(conn, tid, mid, smb.SMB.SMB_COM_NT_TRANSACT, p, d)


def trans2_secondary(conn, tid, mid, disp):
    """TRANSACTION2_SECONDARY with CHUNK data bytes at @disp, right after
    the ByteCount (header 32, WordCount 1, 9 words, ByteCount 2)."""
    p = smb.SMBTransaction2Secondary_Parameters()
    p["TotalParameterCount"] = 0
    p["TotalDataCount"] = TOTAL_DATA & 0xFFFF
    p["ParameterCount"] = 0
    p["ParameterOffset"] = 0
    p["ParameterDisplacement"] = 0
    p["DataCount"] = CHUNK
    p["DataOffset"] = 32 + 1 + 18 + 2
    p["DataDisplacement"] = disp
    p["FID"] = 0
    d = smb.SMBTransaction2Secondary_Data()
    d["Pad1"] = b""
    d["Trans_Parameters"] = b""
    d["Pad2"] = b""
    d["Trans_Data"] = b"\0" * CHUNK
    send(conn, tid, mid, smb.SMB.SMB_COM_TRANSACTION2_SECONDARY, p, d)


def main():
    server, user, password = sys.argv[1:4]
    conn = smb.SMB("*SMBSERVER", server, sess_port=445)
    conn.login(user, password)
    tid = conn.tree_connect_andx("\\\\%s\\IPC$" % server, "")
    mid = 0  # the exploits' MID; secondaries find their transaction by it

    nt_transact(conn, tid, mid)
    print("NT_TRANSACT mid %d: %d of %d data bytes" % (mid, FIRST, TOTAL_DATA))
    try:
        r = conn.recvSMB()
        status = r["ErrorCode"] << 16 | r["_reserved"] << 8 | r["ErrorClass"]
        print("answer: status 0x%08x" % status)
    except Exception as e:  # the answer does not matter
        print("answer: %s" % e)
    for disp in (FIRST, FIRST + CHUNK):
        trans2_secondary(conn, tid, mid, disp)
        print("TRANSACTION2_SECONDARY mid %d: %d bytes at %d" % (mid, CHUNK, disp))
    try:
        conn.logoff()
    except Exception as e:
        print("logoff: %s" % e)
    conn.close_session()
    return 0


if __name__ == "__main__":
    sys.exit(main())
