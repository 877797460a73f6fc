/* SPDX-License-Identifier: GPL-2.0 */
/* smb_user.h: the SMB rules (share kinds, pipe table, executable extensions,
 * ATT&CK per rule and pipe), their file format and loading into
 * xh_smb_names; the "smb" JSON object of a hit; SMB counter names. */
#ifndef XH_SMB_USER_H
#define XH_SMB_USER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "enrich.h"
#include "jsonl.h"

struct smb_rules;

/* The built-in rules (the text of data/smb-rules.conf). */
extern const char smb_rules_default_text[];

/* Rules from the built-in defaults. NULL and errno on failure. */
struct smb_rules *smb_rules__new_default(void);
/* Rules from a file (the defaults are not included: the file is complete).
 * A bad line is reported as "smb-rules: FILE:LINE: why" and nothing from the
 * file is kept: NULL with errno EINVAL. */
struct smb_rules *smb_rules__load_file(const char *path);
/* Parse @text (named @what in messages). NULL and errno on failure. */
struct smb_rules *smb_rules__parse(const char *text, const char *what);
void smb_rules__free(struct smb_rules *r);

size_t smb_rules_count(const struct smb_rules *r, int kind); /* enum xh_smb_tbl */
/* The pipe_id xh_smb_names gives pipe @name (case-insensitive), 0 if none. */
unsigned int smb_rules_pipe_id(const struct smb_rules *r, const char *name);
/* Fill the xh_smb_names map (fd). Returns 0 or -errno. */
int smb_rules_to_map(const struct smb_rules *r, int map_fd);

/* The ATT&CK reference of an SMB hit: the pipe's (named pipes in the
 * table), else the rule's from the rules (`rule` lines), else
 * smb_attack_extra()'s, else none: the rules replace the built-in set as
 * a whole. @dflt (enrich.c's) is used only without rules (@r NULL). */
const struct attack_ref *smb_attack(const struct smb_rules *r, const struct xh_event *e,
				    const struct attack_ref *dflt);
/* The technique the "smb" object's "attack" array adds to the rule's: for
 * an smb.tool_transfer hit, T1564.004 (Hide Artifacts: NTFS File
 * Attributes) when the executable is in an NTFS stream
 * (XH_SMB_F_STREAM_EXE), T1036.008 (Masquerading: Masquerade File Type) when
 * a PE image was written under a name that is not an executable's
 * (XH_SMB_F_EXE_CONTENT, the name known); for an smb.admin_read hit, the
 * technique of the first `file` pattern of @r its name matches; else NULL. */
const struct attack_ref *smb_attack_extra(const struct smb_rules *r, const struct xh_event *e);
/* Append "smb":{...} for an event with detail_kind XH_DETAIL_SMB (@r: the
 * rules whose technique the "attack" array of a stream's executable
 * starts with; NULL: enrich.c's). Returns 0, or -EILSEQ when the name was
 * not valid UTF-16/ASCII (the object is then written without it). */
int smb_format_json(const struct smb_rules *r, const struct xh_event *e, struct jbuf *b);

/* Convert a raw SMB name to UTF-8 (NUL-terminated in @out); an ASCII (OEM
 * code page) byte from 0x80 becomes U+FFFD. Returns the length, -EILSEQ for
 * an invalid sequence (unpaired surrogate, NUL, control character) or
 * -ENOSPC. */
int smb_name_to_utf8(const uint8_t *raw, size_t len, int enc, char *out, size_t outsz);

/* "TREE_CONNECT" for SMB2 commands (SMB1 when @version is 1); NULL if unknown. */
const char *smb_command_name(unsigned int version, unsigned int cmd);
/* "3.1.1" for an SMB2 DialectRevision; NULL if unknown. */
const char *smb_dialect_name(unsigned int dialect);
/* Stable name of an enum xh_smb_cnt counter (stats --json key). */
const char *smb_counter_name(unsigned int cnt);

#endif
