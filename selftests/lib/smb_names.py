# SPDX-License-Identifier: GPL-2.0
"""smb_names.py: what makes an SMB file name an executable for
smb.tool_transfer, written from the README's rule for the Python oracles
(selftests/e2e/check_smb.py, selftests/replay/test_smb_corpus.py) rather
than from the kernel's scanner (bpf/smb_name.h). The last component is a
file name, then after a ':' an NTFS stream name, then after a second ':' the
stream type (notes.txt:payload.exe:$DATA); the extension of each name is
what follows its last '.'. Extensions compare ASCII case-insensitively.
Also the smb.attack an smb.admin_read hit must carry by the built-in `file`
rules (admin_read_attack())."""
import fnmatch

# data/smb-rules.conf's `ext` lines
EXEC_EXT = {"exe", "dll", "sys", "bat", "cmd", "ps1", "vbs", "hta", "msi"}


def _ext(name):
    return name.rsplit(".", 1)[1].lower() if "." in name else None


def exec_name(name):
    """(is an executable, the executable is in a named stream) for a name
    relative to its share, backslash-separated."""
    parts = (name or "").split("\\")[-1].split(":", 2)
    in_stream = len(parts) > 1 and _ext(parts[1]) in EXEC_EXT
    return _ext(parts[0]) in EXEC_EXT or in_stream, in_stream


# data/smb-rules.conf's `file` lines, in order: (pattern, technique)
FILE_RULES = [("__*", "T1059.003"), ("*ntds.dit", "T1003.003"), ("*lsass*.dmp", "T1003.001")]


def admin_read_attack(name):
    """The technique ids of an smb.admin_read hit's smb.attack for @name
    (relative to its share; None: no name): T1039 and the first `file`
    rule's whose pattern the name matches (leading backslashes dropped, ASCII
    case-insensitive, backslash a plain character), else none."""
    n = (name or "").lstrip("\\").lower()
    for pattern, tid in FILE_RULES:
        if name is not None and fnmatch.fnmatchcase(n, pattern.lower()):
            return ["T1039", tid]
    return []
