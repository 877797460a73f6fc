# SPDX-License-Identifier: GPL-2.0
"""smb_names.py: what makes an SMB file name an executable for
smb.tool_transfer, written from the README's rule for the Python oracles
(selftests/e2e/check_smb.py, selftests/replay/test_smb_corpus.py) rather
than from the kernel's scanner (bpf/smb_name.h). The last component is a
file name, then after a ':' an NTFS stream name, then after a second ':' the
stream type (notes.txt:payload.exe:$DATA); the extension of each name is
what follows its last '.'. Extensions compare ASCII case-insensitively."""

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
