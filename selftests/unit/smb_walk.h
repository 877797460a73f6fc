/* SPDX-License-Identifier: GPL-2.0 */
/* smb_walk.h: the SMB parser tests' walker (test_smb_parse.c, test_smb1_parse.c).
 * It mirrors bpf/smb.bpf.h (NetBIOS messages -> compound members / AndX blocks
 * -> names, with the same bounds) over bpf/smb.h, natively, on a copy of the
 * payload in a buffer of its exact length, so any read past the segment is an
 * ASan error. Static: each test file has its own copy. */
#ifndef SMB_WALK_H
#define SMB_WALK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smb.h"
#include "smb_name.h"

struct found {
	uint8_t version, response;
	uint8_t exploit; /* enum xh_smb_exploit */
	uint16_t command;
	uint64_t mid;
	uint32_t tree;
	int name_err;	/* 0: name[] valid; -reason; 1: message had no name */
	char name[300]; /* ASCII rendering of the scanned name */
	struct xh_smb_name nm;
};

struct walk {
	struct found f[64];
	int n;
	unsigned long cnt[XH_SMB_CNT__MAX];
};

static inline void count(struct walk *w, int reason)
{
	int r = reason < 0 ? -reason : reason;

	if (r < XH_SMB_CNT__MAX)
		w->cnt[r]++;
}

/* The name of @m (header at payload offset @hdr), as smb.bpf.h reads it. */
static inline int get_name(const uint8_t *p, size_t len, size_t hdr, const struct xh_smb_msg *m,
			   struct found *f)
{
	size_t abs = hdr + m->name_off, n;
	int cut = 0, err;

	if (!m->name_nul && m->name_max > XH_EVENT_NAME_MAX)
		return -XH_SMB_CNT_NAME_LONG;
	if (abs >= len)
		return -XH_SMB_CNT_NAME_CUT;
	n = m->name_max < XH_EVENT_NAME_MAX ? m->name_max : XH_EVENT_NAME_MAX;
	if (n > len - abs) {
		if (!m->name_nul)
			return -XH_SMB_CNT_NAME_CUT;
		n = len - abs;
		cut = 1;
	}
	err = xh_smb_name_scan(p + abs, (uint32_t)n, m->name_enc, m->name_nul, &f->nm);
	if (cut && !f->nm.done && !f->nm.bad)
		return -XH_SMB_CNT_NAME_CUT;
	if (m->name_nul) /* finish() judged the scanned part; judge the full span */
		err = xh_smb_name_finish(&f->nm, m->name_max);
	if (err)
		return err;
	for (size_t i = 0, cs = m->name_enc == XH_SMB_ENC_UTF16LE ? 2 : 1; i < f->nm.len / cs; i++)
		f->name[i] = (char)p[abs + i * cs];
	return 0;
}

/* Record message @m (header at @hdr of the @len-byte payload @p) as
 * version @version, with its name scanned. The table holds 64. */
static inline void found_add(struct walk *w, const uint8_t *p, size_t len, size_t hdr,
			     const struct xh_smb_msg *m, uint8_t version)
{
	struct found *f;

	if (w->n == 64)
		abort();
	f = &w->f[w->n++];
	memset(f, 0, sizeof(*f));
	f->version = version;
	f->response = m->response;
	f->command = m->command;
	f->exploit = m->exploit;
	f->mid = m->message_id;
	f->tree = m->tree_id;
	f->name_err = m->name_max ? get_name(p, len, hdr, m, f) : 1;
	if (f->name_err < 0)
		count(w, f->name_err);
}

/* Walk a TCP payload of @len bytes (copied to an exact-size buffer). */
static inline void walk(const uint8_t *payload, size_t len, int port139, struct walk *w)
{
	uint8_t *p = malloc(len ? len : 1);
	size_t off = 0;
	int nb_req = 0;

	memcpy(p, payload, len);
	memset(w, 0, sizeof(*w));
	for (int k = 0; k < XH_SMB_MAX_NB && off < len; k++) {
		struct xh_nb nb;
		size_t hdr, rem, blk = 0;
		unsigned int cmd = 0x100;

		if (len - off < 4 || xh_nb_parse(p + off, 4, &nb)) {
			count(w, XH_SMB_CNT_NO_MSG_START);
			break;
		}
		if (nb.type == XH_NB_SESSION_REQ) {
			nb_req = 1;
			goto next;
		}
		if (nb.type != XH_NB_MESSAGE)
			goto next;
		if (port139 && !nb_req) {
			count(w, XH_SMB_CNT_NB_NO_REQUEST);
			break;
		}
		hdr = off + 4;
		rem = nb.len;
		for (int j = 0; j < XH_SMB_MAX_CHAIN; j++) {
			size_t at = hdr + blk, avail = at < len ? len - at : 0;
			struct xh_smb_msg m;
			int err;

			if (avail > XH_SMB_HDR_BUF)
				avail = XH_SMB_HDR_BUF;
			if (avail > rem - blk)
				avail = rem - blk;
			if (!avail) {
				count(w, rem ? XH_SMB_CNT_HDR_TRUNC : XH_SMB_CNT_NB_BAD_LEN);
				break;
			}
			/* SMB1 AndX blocks are walked below, inside their message. */
			if (cmd & 0x100)
				err = xh_smb_parse(p + at, (uint32_t)avail, (uint32_t)rem, &m);
			else
				err = xh_smb2_parse(p + at, (uint32_t)avail, (uint32_t)rem, &m);
			if ((cmd & 0x100) && err == -XH_SMB_CNT_NO_MSG_START) {
				count(w, err);
				goto out;
			}
			if (!m.version) {
				count(w, err);
				break;
			}
			if (err) {
				count(w, err);
				m.name_max = 0;
			}
			found_add(w, p, len, hdr, &m, m.version);
			if (m.version == 1) {
				/* AndX blocks of this SMB1 message. */
				for (int b = 1; m.next && b < XH_SMB_MAX_CHAIN; b++) {
					size_t bat = hdr + m.next, bav = bat < len ? len - bat : 0;

					blk = m.next;
					if (bav > XH_SMB_HDR_BUF)
						bav = XH_SMB_HDR_BUF;
					if (bav > rem - blk)
						bav = rem - blk;
					if (!bav) {
						count(w, XH_SMB_CNT_HDR_TRUNC);
						break;
					}
					err = xh_smb1_block(p + bat, (uint32_t)bav, (uint32_t)blk,
							    (uint32_t)rem, m.next_cmd, &m);
					if (err) {
						count(w, err);
						m.name_max = 0;
					}
					found_add(w, p, len, hdr, &m, 1);
				}
				break;
			}
			if (!m.next || m.version == 3)
				break;
			if (j == XH_SMB_MAX_CHAIN - 1) {
				count(w, XH_SMB_CNT_CHAIN_LIMIT);
				break;
			}
			hdr += m.next;
			rem -= m.next;
			cmd = 0;
		}
	next:
		off += 4 + (size_t)nb.len;
	}
out:
	free(p);
}

static inline const struct found *find_name(const struct walk *w, const char *name)
{
	for (int i = 0; i < w->n; i++)
		if (!w->f[i].name_err && !strcmp(w->f[i].name, name))
			return &w->f[i];
	return NULL;
}

#endif
