// SPDX-License-Identifier: GPL-2.0
/* smbmsg.c: see smbmsg.h. */
#include <stdlib.h>
#include <string.h>
#include "smbmsg.h"

void smbmsg_init(struct smbmsg *s)
{
	memset(s, 0, sizeof(*s));
}

void smbmsg_put(struct smbmsg *s, const void *p, size_t n)
{
	if (s->len + n > SMBMSG_MAX)
		abort(); /* a test bug */
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

void smbmsg_le16(struct smbmsg *s, uint16_t v)
{
	uint8_t b[2] = {v & 0xff, v >> 8};

	smbmsg_put(s, b, 2);
}

void smbmsg_le32(struct smbmsg *s, uint32_t v)
{
	smbmsg_le16(s, v & 0xffff);
	smbmsg_le16(s, v >> 16);
}

void smbmsg_le64(struct smbmsg *s, uint64_t v)
{
	smbmsg_le32(s, (uint32_t)v);
	smbmsg_le32(s, (uint32_t)(v >> 32));
}

void smbmsg_set16(struct smbmsg *s, size_t off, uint16_t v)
{
	s->b[off] = v & 0xff;
	s->b[off + 1] = v >> 8;
}

void smbmsg_set32(struct smbmsg *s, size_t off, uint32_t v)
{
	smbmsg_set16(s, off, v & 0xffff);
	smbmsg_set16(s, off + 2, v >> 16);
}

size_t smbmsg_utf16(struct smbmsg *s, const char *str)
{
	size_t n = strlen(str);

	for (size_t i = 0; i < n; i++)
		smbmsg_le16(s, (uint8_t)str[i]);
	return 2 * n;
}

void smbmsg_nb_begin(struct smbmsg *s, uint8_t type)
{
	uint8_t h[4] = {type, 0, 0, 0};

	s->nb = s->len;
	smbmsg_put(s, h, 4);
}

void smbmsg_nb_end(struct smbmsg *s)
{
	size_t n = s->len - s->nb - 4;

	s->b[s->nb + 1] = (n >> 16) & 0xff;
	s->b[s->nb + 2] = (n >> 8) & 0xff;
	s->b[s->nb + 3] = n & 0xff;
}

void smbmsg_nb_session_request(struct smbmsg *s)
{
	smbmsg_nb_begin(s, 0x81);
	smbmsg_put(s,
		   "\x20"
		   "CKFDENECFDEFFCFGEFFCCACACACACACA\0",
		   34);
	smbmsg_put(s,
		   "\x20"
		   "EOFCEDEPFDEBFGEFCACACACACACACAAA\0",
		   34);
	smbmsg_nb_end(s);
}

size_t smb2_hdr(struct smbmsg *s, uint16_t cmd, uint32_t flags, uint64_t mid, uint32_t tree,
		uint64_t sess, uint32_t status)
{
	static const uint8_t magic[4] = {0xfe, 'S', 'M', 'B'};
	size_t h = s->len;

	smbmsg_put(s, magic, 4);
	smbmsg_le16(s, 64); /* StructureSize */
	smbmsg_le16(s, 1);  /* CreditCharge */
	smbmsg_le32(s, status);
	smbmsg_le16(s, cmd);
	smbmsg_le16(s, 1); /* Credits */
	smbmsg_le32(s, flags);
	smbmsg_le32(s, 0); /* NextCommand */
	smbmsg_le64(s, mid);
	smbmsg_le32(s, 0xfeff); /* Reserved (ProcessId) */
	smbmsg_le32(s, tree);
	smbmsg_le64(s, sess);
	for (int i = 0; i < 4; i++)
		smbmsg_le32(s, 0); /* Signature */
	return h;
}

size_t smb2_tree_connect_req(struct smbmsg *s, uint64_t mid, uint64_t sess, const char *path)
{
	size_t h = smb2_hdr(s, 3, 0, mid, 0, sess, 0), n;

	smbmsg_le16(s, 9);	/* StructureSize */
	smbmsg_le16(s, 0);	/* Flags */
	smbmsg_le16(s, 64 + 8); /* PathOffset */
	smbmsg_le16(s, 0);	/* PathLength, below */
	n = smbmsg_utf16(s, path);
	smbmsg_set16(s, h + 64 + 6, (uint16_t)n);
	return h;
}

size_t smb2_tree_connect_resp(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
			      uint32_t status, uint8_t share_type)
{
	size_t h = smb2_hdr(s, 3, 1, mid, tree, sess, status);
	uint8_t st[2] = {share_type, 0};

	smbmsg_le16(s, 16);
	smbmsg_put(s, st, 2);
	smbmsg_le32(s, 0);	  /* ShareFlags */
	smbmsg_le32(s, 0);	  /* Capabilities */
	smbmsg_le32(s, 0x1f01ff); /* MaximalAccess */
	return h;
}

size_t smb2_create_req(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
		       const char *name, uint32_t access)
{
	size_t h = smb2_hdr(s, 5, 0, mid, tree, sess, 0), n;
	uint8_t z[8] = {0};

	smbmsg_le16(s, 57);  /* StructureSize */
	smbmsg_put(s, z, 2); /* SecurityFlags, RequestedOplockLevel */
	smbmsg_le32(s, 2);   /* ImpersonationLevel */
	smbmsg_put(s, z, 8); /* SmbCreateFlags */
	smbmsg_put(s, z, 8); /* Reserved */
	smbmsg_le32(s, access);
	smbmsg_le32(s, 0x80); /* FileAttributes */
	smbmsg_le32(s, 7);    /* ShareAccess */
	smbmsg_le32(s, 5);    /* CreateDisposition: OVERWRITE_IF */
	smbmsg_le32(s, 0x40); /* CreateOptions */
	smbmsg_le16(s, 64 + 56);
	smbmsg_le16(s, 0); /* NameLength, below */
	smbmsg_le32(s, 0); /* CreateContextsOffset */
	smbmsg_le32(s, 0); /* CreateContextsLength */
	n = smbmsg_utf16(s, name);
	if (!n)
		smbmsg_put(s, z, 1); /* the Buffer is never empty */
	smbmsg_set16(s, h + 64 + 46, (uint16_t)n);
	return h;
}

size_t smb2_write_req(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree)
{
	size_t h = smb2_hdr(s, 9, 0, mid, tree, sess, 0);
	uint8_t z[16] = {0};

	smbmsg_le16(s, 49);
	smbmsg_le16(s, 64 + 48); /* DataOffset */
	smbmsg_le32(s, 4);	 /* Length */
	smbmsg_le64(s, 0);	 /* Offset */
	smbmsg_put(s, z, 16);	 /* FileId */
	smbmsg_le32(s, 0);	 /* Channel */
	smbmsg_le32(s, 0);	 /* RemainingBytes */
	smbmsg_le32(s, 0);	 /* WriteChannelInfo */
	smbmsg_le32(s, 0);	 /* Flags */
	smbmsg_put(s, "MZ\x90", 4);
	return h;
}

size_t smb2_negotiate_resp(struct smbmsg *s, uint16_t dialect)
{
	size_t h = smb2_hdr(s, 0, 1, 0, 0, 0, 0);
	uint8_t z[56] = {0};

	smbmsg_le16(s, 65);
	smbmsg_le16(s, 1); /* SecurityMode */
	smbmsg_le16(s, dialect);
	smbmsg_put(s, z, sizeof(z));
	return h;
}

void smb2_chain(struct smbmsg *s, size_t hdr)
{
	uint8_t z = 0;

	while ((s->len - hdr) & 7)
		smbmsg_put(s, &z, 1);
	smbmsg_set32(s, hdr + 20, (uint32_t)(s->len - hdr));
}

size_t smb3_transform(struct smbmsg *s, uint64_t sess)
{
	static const uint8_t magic[4] = {0xfd, 'S', 'M', 'B'};
	uint8_t z[32] = {0};
	size_t h = s->len;

	smbmsg_put(s, magic, 4);
	smbmsg_put(s, z, 16); /* Signature */
	smbmsg_put(s, z, 16); /* Nonce */
	smbmsg_le32(s, 16);   /* OriginalMessageSize */
	smbmsg_le16(s, 0);
	smbmsg_le16(s, 1); /* Flags: encrypted */
	smbmsg_le64(s, sess);
	smbmsg_put(s, z, 16); /* ciphertext */
	return h;
}

size_t smb3_compressed(struct smbmsg *s)
{
	static const uint8_t magic[4] = {0xfc, 'S', 'M', 'B'};
	uint8_t z[16] = {0};
	size_t h = s->len;

	smbmsg_put(s, magic, 4);
	smbmsg_le32(s, 100); /* OriginalCompressedSegmentSize */
	smbmsg_le16(s, 1);   /* CompressionAlgorithm: LZNT1 */
	smbmsg_le16(s, 0);   /* Flags */
	smbmsg_le32(s, 0);   /* Offset */
	smbmsg_put(s, z, 16);
	return h;
}

size_t smb1_hdr(struct smbmsg *s, uint8_t cmd, uint8_t flags, uint16_t flags2, uint16_t tid,
		uint16_t uid, uint16_t mid)
{
	static const uint8_t magic[4] = {0xff, 'S', 'M', 'B'};
	uint8_t z[12] = {0};
	size_t h = s->len;

	smbmsg_put(s, magic, 4);
	smbmsg_put(s, &cmd, 1);
	smbmsg_le32(s, 0); /* Status */
	smbmsg_put(s, &flags, 1);
	smbmsg_le16(s, flags2);
	smbmsg_le16(s, 0);   /* PIDHigh */
	smbmsg_put(s, z, 8); /* SecurityFeatures */
	smbmsg_le16(s, 0);   /* Reserved */
	smbmsg_le16(s, tid);
	smbmsg_le16(s, 0x1234); /* PIDLow */
	smbmsg_le16(s, uid);
	smbmsg_le16(s, mid);
	return h;
}

size_t smb1_tree_connect_andx(struct smbmsg *s, uint16_t mid, uint16_t uid, const char *path,
			      int unicode)
{
	size_t h = smb1_hdr(s, 0x75, 0x18, unicode ? 0xc807 : 0x4807, 0, uid, mid), bc;
	uint8_t wc = 4, andx[4] = {0xff, 0, 0, 0}, z = 0;

	smbmsg_put(s, &wc, 1);
	smbmsg_put(s, andx, 4);
	smbmsg_le16(s, 0x0c); /* Flags */
	smbmsg_le16(s, 1);    /* PasswordLength */
	bc = s->len;
	smbmsg_le16(s, 0);
	smbmsg_put(s, &z, 1); /* Password */
	if (unicode) {
		if ((s->len - h) & 1)
			smbmsg_put(s, &z, 1);
		smbmsg_utf16(s, path);
		smbmsg_le16(s, 0);
	} else {
		smbmsg_put(s, path, strlen(path) + 1);
	}
	smbmsg_put(s, "?????", 6);
	smbmsg_set16(s, bc, (uint16_t)(s->len - bc - 2));
	return h;
}

size_t smb1_tree_connect_resp(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid,
			      uint32_t status)
{
	size_t h = smb1_hdr(s, 0x75, 0x98, 0xc807, tid, uid, mid);
	uint8_t wc = 3, andx[4] = {0xff, 0, 0, 0};

	smbmsg_set32(s, h + 5, status);
	smbmsg_put(s, &wc, 1);
	smbmsg_put(s, andx, 4);
	smbmsg_le16(s, 1); /* OptionalSupport */
	smbmsg_le16(s, 4); /* ByteCount */
	smbmsg_put(s, "IPC", 4);
	return h;
}

size_t smb1_nt_create_andx(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid,
			   const char *name, uint32_t access, int unicode)
{
	size_t h = smb1_hdr(s, 0xa2, 0x18, unicode ? 0xc807 : 0x4807, tid, uid, mid), bc, nl;
	uint8_t wc = 24, andx[4] = {0xff, 0, 0, 0}, z[16] = {0};

	smbmsg_put(s, &wc, 1);
	smbmsg_put(s, andx, 4);
	smbmsg_put(s, z, 1); /* Reserved */
	nl = s->len;
	smbmsg_le16(s, 0); /* NameLength, below */
	smbmsg_le32(s, 0); /* Flags */
	smbmsg_le32(s, 0); /* RootDirectoryFID */
	smbmsg_le32(s, access);
	smbmsg_put(s, z, 8); /* AllocationSize */
	smbmsg_le32(s, 0);   /* ExtFileAttributes */
	smbmsg_le32(s, 3);   /* ShareAccess */
	smbmsg_le32(s, 1);   /* CreateDisposition */
	smbmsg_le32(s, 0);   /* CreateOptions */
	smbmsg_le32(s, 2);   /* ImpersonationLevel */
	smbmsg_put(s, z, 1); /* SecurityFlags */
	bc = s->len;
	smbmsg_le16(s, 0);
	if (unicode) {
		if ((s->len - h) & 1)
			smbmsg_put(s, z, 1);
		smbmsg_set16(s, nl, (uint16_t)(smbmsg_utf16(s, name) + 2));
		smbmsg_le16(s, 0);
	} else {
		smbmsg_put(s, name, strlen(name) + 1);
		smbmsg_set16(s, nl, (uint16_t)(strlen(name) + 1));
	}
	smbmsg_set16(s, bc, (uint16_t)(s->len - bc - 2));
	return h;
}

size_t smb1_negotiate(struct smbmsg *s)
{
	size_t h = smb1_hdr(s, 0x72, 0x18, 0xc853, 0, 0, 0);
	uint8_t wc = 0, d[] = "\x02NT LM 0.12";

	smbmsg_put(s, &wc, 1);
	smbmsg_le16(s, sizeof(d));
	smbmsg_put(s, d, sizeof(d));
	return h;
}

size_t smb2_create_resp(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
			const uint8_t fid[16], uint32_t status)
{
	size_t h = smb2_hdr(s, 5, status == 0x103 ? 3 : 1, mid, tree, sess, status);
	uint8_t z[48] = {0};

	if (status) {
		smbmsg_le16(s, 9); /* SMB2 ERROR response */
		smbmsg_put(s, z, 7);
		return h;
	}
	smbmsg_le16(s, 89);
	smbmsg_put(s, z, 2);  /* OplockLevel, Flags */
	smbmsg_le32(s, 1);    /* CreateAction: FILE_OPENED */
	smbmsg_put(s, z, 48); /* 4 times, AllocationSize, EndofFile */
	smbmsg_le32(s, 0x80); /* FileAttributes */
	smbmsg_le32(s, 0);    /* Reserved2 */
	smbmsg_put(s, fid, 16);
	smbmsg_le32(s, 0); /* CreateContextsOffset */
	smbmsg_le32(s, 0); /* CreateContextsLength */
	smbmsg_put(s, z, 1);
	return h;
}

size_t smb2_write_data(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
		       const uint8_t fid[16], const void *data, size_t len)
{
	size_t h = smb2_hdr(s, 9, 0, mid, tree, sess, 0);

	smbmsg_le16(s, 49);
	smbmsg_le16(s, 64 + 48); /* DataOffset */
	smbmsg_le32(s, (uint32_t)len);
	smbmsg_le64(s, 0); /* Offset */
	smbmsg_put(s, fid, 16);
	smbmsg_le32(s, 0); /* Channel */
	smbmsg_le32(s, 0); /* RemainingBytes */
	smbmsg_le32(s, 0); /* WriteChannelInfo */
	smbmsg_le32(s, 0); /* Flags */
	smbmsg_put(s, data, len);
	return h;
}

size_t smb2_ioctl_data(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
		       const uint8_t fid[16], uint32_t ctl, const void *data, size_t len)
{
	size_t h = smb2_hdr(s, 11, 0, mid, tree, sess, 0);

	smbmsg_le16(s, 57);
	smbmsg_le16(s, 0); /* Reserved */
	smbmsg_le32(s, ctl);
	smbmsg_put(s, fid, 16);
	smbmsg_le32(s, 64 + 56); /* InputOffset */
	smbmsg_le32(s, (uint32_t)len);
	smbmsg_le32(s, 0);    /* MaxInputResponse */
	smbmsg_le32(s, 0);    /* OutputOffset */
	smbmsg_le32(s, 0);    /* OutputCount */
	smbmsg_le32(s, 4280); /* MaxOutputResponse */
	smbmsg_le32(s, 1);    /* Flags: SMB2_0_IOCTL_IS_FSCTL */
	smbmsg_le32(s, 0);    /* Reserved2 */
	smbmsg_put(s, data, len);
	return h;
}

size_t smb1_nt_create_resp(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t fid,
			   uint32_t status)
{
	size_t h = smb1_hdr(s, 0xa2, 0x98, 0xc807, tid, uid, mid);
	uint8_t wc = 34, andx[4] = {0xff, 0, 0, 0}, z[64] = {0};

	smbmsg_set32(s, h + 5, status);
	if (status) {
		wc = 0;
		smbmsg_put(s, &wc, 1);
		smbmsg_le16(s, 0);
		return h;
	}
	smbmsg_put(s, &wc, 1);
	smbmsg_put(s, andx, 4);
	smbmsg_put(s, z, 1); /* OplockLevel */
	smbmsg_le16(s, fid);
	smbmsg_put(s, z, 61); /* CreateDisposition .. Directory */
	smbmsg_le16(s, 0);    /* ByteCount */
	return h;
}

size_t smb1_write_andx_data(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid,
			    uint16_t fid, const void *data, size_t len)
{
	size_t h = smb1_hdr(s, 0x2f, 0x18, 0xc807, tid, uid, mid);
	uint8_t wc = 14, andx[4] = {0xff, 0, 0, 0}, z[8] = {0};

	smbmsg_put(s, &wc, 1);
	smbmsg_put(s, andx, 4);
	smbmsg_le16(s, fid);
	smbmsg_put(s, z, 8); /* Offset, Timeout */
	smbmsg_le16(s, 8);   /* WriteMode: message start */
	smbmsg_le16(s, (uint16_t)len);
	smbmsg_le16(s, 0); /* DataLengthHigh */
	smbmsg_le16(s, (uint16_t)len);
	smbmsg_le16(s, 64);  /* DataOffset: after ByteCount and one pad byte */
	smbmsg_put(s, z, 4); /* OffsetHigh */
	smbmsg_le16(s, (uint16_t)(len + 1));
	smbmsg_put(s, z, 1);
	smbmsg_put(s, data, len);
	return h;
}

size_t smb1_trans_nmpipe(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t fid,
			 const void *data, size_t len)
{
	size_t h = smb1_hdr(s, 0x25, 0x18, 0x4807, tid, uid, mid);
	uint8_t wc = 16, z[8] = {0};

	smbmsg_put(s, &wc, 1);
	smbmsg_le16(s, 0);	       /* TotalParameterCount */
	smbmsg_le16(s, (uint16_t)len); /* TotalDataCount */
	smbmsg_le16(s, 0);	       /* MaxParameterCount */
	smbmsg_le16(s, 1024);	       /* MaxDataCount */
	smbmsg_put(s, z, 2);	       /* MaxSetupCount, Reserved */
	smbmsg_le16(s, 0);	       /* Flags */
	smbmsg_put(s, z, 6);	       /* Timeout, Reserved2 */
	smbmsg_le16(s, 0);	       /* ParameterCount */
	smbmsg_le16(s, 74);	       /* ParameterOffset */
	smbmsg_le16(s, (uint16_t)len); /* DataCount */
	smbmsg_le16(s, 74);	       /* DataOffset */
	smbmsg_le16(s, 2);	       /* SetupCount, Reserved3 */
	smbmsg_le16(s, 0x0026);	       /* TransactNmPipe */
	smbmsg_le16(s, fid);
	smbmsg_le16(s, (uint16_t)(7 + len)); /* ByteCount */
	smbmsg_put(s, "\\PIPE\\", 7);	     /* ASCII name with its NUL: offset 67..74 */
	smbmsg_put(s, data, len);
	return h;
}

size_t smb2_read_req(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
		     const uint8_t fid[16])
{
	size_t h = smb2_hdr(s, 8, 0, mid, tree, sess, 0);
	uint8_t z[2] = {0};

	smbmsg_le16(s, 49);
	smbmsg_put(s, z, 2);  /* Padding, Flags */
	smbmsg_le32(s, 4096); /* Length */
	smbmsg_le64(s, 0);    /* Offset */
	smbmsg_put(s, fid, 16);
	smbmsg_le32(s, 1);   /* MinimumCount */
	smbmsg_le32(s, 0);   /* Channel */
	smbmsg_le32(s, 0);   /* RemainingBytes */
	smbmsg_le16(s, 0);   /* ReadChannelInfoOffset */
	smbmsg_le16(s, 0);   /* ReadChannelInfoLength */
	smbmsg_put(s, z, 1); /* the Buffer is never empty */
	return h;
}

size_t smb2_query_dir_req(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
			  const uint8_t fid[16], const char *pattern)
{
	size_t h = smb2_hdr(s, 0x0e, 0, mid, tree, sess, 0), n;
	uint8_t cls = 0x25, flags = 0;

	smbmsg_le16(s, 33);
	smbmsg_put(s, &cls, 1);
	smbmsg_put(s, &flags, 1);
	smbmsg_le32(s, 0); /* FileIndex */
	smbmsg_put(s, fid, 16);
	smbmsg_le16(s, 64 + 32); /* FileNameOffset */
	smbmsg_le16(s, 0);	 /* FileNameLength, below */
	smbmsg_le32(s, 65536);	 /* OutputBufferLength */
	n = smbmsg_utf16(s, pattern);
	smbmsg_set16(s, h + 64 + 26, (uint16_t)n);
	return h;
}

size_t smb2_close_req(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
		      const uint8_t fid[16])
{
	size_t h = smb2_hdr(s, 6, 0, mid, tree, sess, 0);

	smbmsg_le16(s, 24);
	smbmsg_le16(s, 0); /* Flags */
	smbmsg_le32(s, 0); /* Reserved */
	smbmsg_put(s, fid, 16);
	return h;
}

size_t smb1_read_andx(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t fid)
{
	size_t h = smb1_hdr(s, 0x2e, 0x18, 0xc807, tid, uid, mid);
	uint8_t wc = 12, andx[4] = {0xff, 0, 0, 0}, z[4] = {0};

	smbmsg_put(s, &wc, 1);
	smbmsg_put(s, andx, 4);
	smbmsg_le16(s, fid);
	smbmsg_put(s, z, 4);  /* Offset */
	smbmsg_le16(s, 4096); /* MaxCountOfBytesToReturn */
	smbmsg_le16(s, 4096); /* MinCountOfBytesToReturn */
	smbmsg_put(s, z, 4);  /* Timeout */
	smbmsg_le16(s, 0);    /* Remaining */
	smbmsg_put(s, z, 4);  /* OffsetHigh */
	smbmsg_le16(s, 0);    /* ByteCount */
	return h;
}

size_t smb1_close(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t fid)
{
	size_t h = smb1_hdr(s, 0x04, 0x18, 0xc807, tid, uid, mid);
	uint8_t wc = 3, z[4] = {0xff, 0xff, 0xff, 0xff};

	smbmsg_put(s, &wc, 1);
	smbmsg_le16(s, fid);
	smbmsg_put(s, z, 4); /* LastTimeModified: leave as is */
	smbmsg_le16(s, 0);   /* ByteCount */
	return h;
}

size_t smb1_trans2_find_first2(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid,
			       const char *pattern, int unicode)
{
	size_t h = smb1_hdr(s, 0x32, 0x18, unicode ? 0xc807 : 0x4807, tid, uid, mid), pc, po, bc;
	uint8_t wc = 15, z[12] = {0}, setup_count = 1;

	smbmsg_put(s, &wc, 1);
	smbmsg_le16(s, 0);     /* TotalParameterCount, below */
	smbmsg_le16(s, 0);     /* TotalDataCount */
	smbmsg_le16(s, 10);    /* MaxParameterCount */
	smbmsg_le16(s, 16384); /* MaxDataCount */
	smbmsg_put(s, z, 2);   /* MaxSetupCount, Reserved1 */
	smbmsg_le16(s, 0);     /* Flags */
	smbmsg_put(s, z, 6);   /* Timeout, Reserved2 */
	pc = s->len;
	smbmsg_le16(s, 0); /* ParameterCount, below */
	po = s->len;
	smbmsg_le16(s, 0); /* ParameterOffset, below */
	smbmsg_le16(s, 0); /* DataCount */
	smbmsg_le16(s, 0); /* DataOffset */
	smbmsg_put(s, &setup_count, 1);
	smbmsg_put(s, z, 1); /* Reserved3 */
	smbmsg_le16(s, 1);   /* Setup[0]: FIND_FIRST2 */
	bc = s->len;
	smbmsg_le16(s, 0);   /* ByteCount, below */
	smbmsg_put(s, z, 3); /* Name (none) and pad to 4 */
	smbmsg_set16(s, po, (uint16_t)(s->len - h));
	smbmsg_le16(s, 0x16);  /* SearchAttributes */
	smbmsg_le16(s, 1366);  /* SearchCount */
	smbmsg_le16(s, 6);     /* Flags */
	smbmsg_le16(s, 0x104); /* InformationLevel: FIND_FILE_BOTH_DIRECTORY_INFO */
	smbmsg_le32(s, 0);     /* SearchStorageType */
	if (unicode) {
		smbmsg_utf16(s, pattern);
		smbmsg_le16(s, 0);
	} else {
		smbmsg_put(s, pattern, strlen(pattern) + 1);
	}
	smbmsg_set16(s, pc, (uint16_t)(s->len - h - (s->b[po] | s->b[po + 1] << 8)));
	smbmsg_set16(s, pc - 18, (uint16_t)(s->len - h - (s->b[po] | s->b[po + 1] << 8)));
	smbmsg_set16(s, bc, (uint16_t)(s->len - bc - 2));
	return h;
}

size_t smb1_peek_nmpipe(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t fid)
{
	size_t h = smb1_trans_nmpipe(s, mid, uid, tid, fid, "", 0);

	smbmsg_set16(s, h + 32 + 29, 0x0023); /* PeekNamedPipe */
	return h;
}

size_t smb1_trans2_session_setup(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid)
{
	size_t h = smb1_hdr(s, 0x32, 0x18, 0x4807, tid, uid, mid);
	uint8_t wc = 15, z[12] = {0}, setup_count = 1;

	smbmsg_put(s, &wc, 1);
	smbmsg_le16(s, 12);  /* TotalParameterCount */
	smbmsg_le16(s, 0);   /* TotalDataCount */
	smbmsg_le16(s, 1);   /* MaxParameterCount */
	smbmsg_le16(s, 0);   /* MaxDataCount */
	smbmsg_put(s, z, 2); /* MaxSetupCount, Reserved1 */
	smbmsg_le16(s, 0);   /* Flags */
	smbmsg_put(s, z, 6); /* Timeout, Reserved2 */
	smbmsg_le16(s, 12);  /* ParameterCount */
	smbmsg_le16(s, 66);  /* ParameterOffset: after ByteCount and a pad */
	smbmsg_le16(s, 0);   /* DataCount */
	smbmsg_le16(s, 78);  /* DataOffset */
	smbmsg_put(s, &setup_count, 1);
	smbmsg_put(s, z, 1);	/* Reserved3 */
	smbmsg_le16(s, 0x000e); /* Setup[0]: SESSION_SETUP */
	smbmsg_le16(s, 13);	/* ByteCount */
	smbmsg_put(s, z, 1);	/* pad */
	smbmsg_put(s, z, 12);	/* the parameters: zero */
	return h;
}

size_t smb1_nt_trans(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t function,
		     uint32_t total_data, uint32_t data_count)
{
	size_t h = smb1_hdr(s, 0xa0, 0x18, 0xc807, tid, uid, mid);
	uint8_t wc = 20, z[4] = {0}, setup_count = 1;
	/* parameters right after ByteCount, the data after them */
	uint32_t poff = 32 + 1 + 2 * wc + 2, doff = poff + 30;

	smbmsg_put(s, &wc, 1);
	smbmsg_put(s, z, 3); /* MaxSetupCount, Reserved1 */
	smbmsg_le32(s, 30);  /* TotalParameterCount */
	smbmsg_le32(s, total_data);
	smbmsg_le32(s, 30);   /* MaxParameterCount */
	smbmsg_le32(s, 0);    /* MaxDataCount */
	smbmsg_le32(s, 30);   /* ParameterCount */
	smbmsg_le32(s, poff); /* ParameterOffset */
	smbmsg_le32(s, data_count);
	smbmsg_le32(s, doff); /* DataOffset */
	smbmsg_put(s, &setup_count, 1);
	smbmsg_le16(s, function);		     /* Function */
	smbmsg_le16(s, 0);			     /* Setup[0] */
	smbmsg_le16(s, (uint16_t)(30 + data_count)); /* ByteCount */
	for (uint32_t i = 0; i < 30 + data_count; i++)
		smbmsg_put(s, z, 1);
	return h;
}

size_t smb1_trans2_secondary(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid,
			     uint16_t total_data, uint16_t disp, uint16_t len)
{
	size_t h = smb1_hdr(s, 0x33, 0x18, 0xc807, tid, uid, mid);
	uint8_t wc = 9, z = 0;

	smbmsg_put(s, &wc, 1);
	smbmsg_le16(s, 0);		 /* TotalParameterCount */
	smbmsg_le16(s, total_data);	 /* TotalDataCount */
	smbmsg_le16(s, 0);		 /* ParameterCount */
	smbmsg_le16(s, 0);		 /* ParameterOffset */
	smbmsg_le16(s, 0);		 /* ParameterDisplacement */
	smbmsg_le16(s, len);		 /* DataCount */
	smbmsg_le16(s, 32 + 1 + 18 + 2); /* DataOffset: after ByteCount */
	smbmsg_le16(s, disp);		 /* DataDisplacement */
	smbmsg_le16(s, 0);		 /* FID */
	smbmsg_le16(s, len);		 /* ByteCount */
	for (uint32_t i = 0; i < len; i++)
		smbmsg_put(s, &z, 1);
	return h;
}

size_t smb2_session_setup_resp(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t status)
{
	size_t h = smb2_hdr(s, 1, 1, mid, 0, sess, status);
	uint8_t z = 0;

	if (status == 0 || status == 0xc0000016) {
		/* SessionFlags, SecurityBufferOffset and Length: no token */
		smbmsg_le16(s, 9);
		smbmsg_le16(s, 0);
		smbmsg_le16(s, 72);
		smbmsg_le16(s, 0);
		smbmsg_put(s, &z, 1);
	} else {
		/* an error response (MS-SMB2 2.2.2) */
		smbmsg_le16(s, 9);
		smbmsg_le16(s, 0); /* ErrorContextCount, Reserved */
		smbmsg_le32(s, 0); /* ByteCount */
		smbmsg_put(s, &z, 1);
	}
	return h;
}

size_t smb1_session_setup_resp(struct smbmsg *s, uint16_t mid, uint32_t status)
{
	size_t h = smb1_hdr(s, 0x73, 0x98, 0xc807, 0, 0, mid);
	uint8_t z = 0;

	smbmsg_set16(s, h + 5, (uint16_t)status);
	smbmsg_set16(s, h + 7, (uint16_t)(status >> 16));
	smbmsg_put(s, &z, 1); /* WordCount */
	smbmsg_le16(s, 0);    /* ByteCount */
	return h;
}

size_t ntlm_auth_blob(uint8_t *out, size_t max, const char *domain, const char *user,
		      const char *host, int unicode, int spnego)
{
	const char *names[3] = {domain, user, host};
	struct smbmsg m, w;
	size_t off = 64, len[3];
	uint8_t nt[48];

	/* an NTLMv2 response's length (NTProofStr and a short blob); bytes
	 * 0xa0, 0xa1...: what the kernel keeps of it (ntlm_proof) is told
	 * from 0s, which mean none */
	for (size_t i = 0; i < sizeof(nt); i++)
		nt[i] = (uint8_t)(0xa0 + i);
	smbmsg_init(&m);
	smbmsg_put(&m, "NTLMSSP", 8);
	smbmsg_le32(&m, 3);
	for (int i = 0; i < 3; i++)
		len[i] = strlen(names[i]) * (unicode ? 2 : 1);
	/* LmChallengeResponse (empty), NtChallengeResponse after the names */
	smbmsg_le16(&m, 0);
	smbmsg_le16(&m, 0);
	smbmsg_le32(&m, (uint32_t)(off + len[0] + len[1] + len[2]));
	smbmsg_le16(&m, sizeof(nt));
	smbmsg_le16(&m, sizeof(nt));
	smbmsg_le32(&m, (uint32_t)(off + len[0] + len[1] + len[2]));
	for (int i = 0; i < 3; i++) {
		smbmsg_le16(&m, (uint16_t)len[i]);
		smbmsg_le16(&m, (uint16_t)len[i]);
		smbmsg_le32(&m, (uint32_t)off);
		off += len[i];
	}
	smbmsg_le16(&m, 0); /* EncryptedRandomSessionKey: empty */
	smbmsg_le16(&m, 0);
	smbmsg_le32(&m, (uint32_t)(off + sizeof(nt)));
	smbmsg_le32(&m, unicode ? 0xe2888215 : 0xe2888214); /* NegotiateFlags */
	for (int i = 0; i < 3; i++) {
		if (unicode)
			smbmsg_utf16(&m, names[i]);
		else
			smbmsg_put(&m, names[i], strlen(names[i]));
	}
	smbmsg_put(&m, nt, sizeof(nt));
	if (!spnego) {
		if (m.len > max)
			abort();
		memcpy(out, m.b, m.len);
		return m.len;
	}
	/* NegTokenResp [1] { SEQUENCE { responseToken [2] OCTET STRING } } */
	smbmsg_init(&w);
	smbmsg_put(&w, (uint8_t[]){0xa1, 0x82}, 2);
	smbmsg_put(&w, (uint8_t[]){(uint8_t)((m.len + 12) >> 8), (uint8_t)(m.len + 12)}, 2);
	smbmsg_put(&w, (uint8_t[]){0x30, 0x82}, 2);
	smbmsg_put(&w, (uint8_t[]){(uint8_t)((m.len + 8) >> 8), (uint8_t)(m.len + 8)}, 2);
	smbmsg_put(&w, (uint8_t[]){0xa2, 0x82}, 2);
	smbmsg_put(&w, (uint8_t[]){(uint8_t)((m.len + 4) >> 8), (uint8_t)(m.len + 4)}, 2);
	smbmsg_put(&w, (uint8_t[]){0x04, 0x82}, 2);
	smbmsg_put(&w, (uint8_t[]){(uint8_t)(m.len >> 8), (uint8_t)m.len}, 2);
	smbmsg_put(&w, m.b, m.len);
	if (w.len > max)
		abort();
	memcpy(out, w.b, w.len);
	return w.len;
}

size_t smb2_session_setup_req(struct smbmsg *s, uint64_t mid, uint64_t sess, const void *blob,
			      size_t len)
{
	size_t h = smb2_hdr(s, 1, 0, mid, 0, sess, 0);
	uint8_t b[4] = {0, 1, 0, 0}; /* Flags, SecurityMode */

	smbmsg_le16(s, 25);
	smbmsg_put(s, b, 2);
	smbmsg_le32(s, 0);  /* Capabilities */
	smbmsg_le32(s, 0);  /* Channel */
	smbmsg_le16(s, 88); /* SecurityBufferOffset: header + 24 */
	smbmsg_le16(s, (uint16_t)len);
	smbmsg_le64(s, 0); /* PreviousSessionId */
	smbmsg_put(s, blob, len);
	return h;
}

/* SESSION_SETUP_ANDX's first words: WordCount @wc, no AndX command,
 * AndXOffset, MaxBufferSize, MaxMpxCount, VcNumber, SessionKey. */
static void smb1_setup_words(struct smbmsg *s, uint8_t wc)
{
	uint8_t b[3] = {wc, 0xff, 0};

	smbmsg_put(s, b, 3);
	smbmsg_le16(s, 0);     /* AndXOffset */
	smbmsg_le16(s, 16644); /* MaxBufferSize */
	smbmsg_le16(s, 50);    /* MaxMpxCount */
	smbmsg_le16(s, 0);     /* VcNumber */
	smbmsg_le32(s, 0);     /* SessionKey */
}

size_t smb1_session_setup_req(struct smbmsg *s, uint16_t mid, const void *blob, size_t len,
			      int unicode)
{
	size_t h = smb1_hdr(s, 0x73, 0x18, unicode ? 0xc807 : 0x4807, 0, 0, mid);

	smb1_setup_words(s, 12);
	smbmsg_le16(s, (uint16_t)len);
	smbmsg_le32(s, 0);	    /* Reserved */
	smbmsg_le32(s, 0x800000d4); /* Capabilities: extended security */
	smbmsg_le16(s, (uint16_t)len);
	smbmsg_put(s, blob, len);
	return h;
}

size_t smb1_session_setup_legacy(struct smbmsg *s, uint16_t mid, const char *account,
				 const char *domain, int unicode, int terminate)
{
	size_t h = smb1_hdr(s, 0x73, 0x18, unicode ? 0xc001 : 0x4001, 0, 0, mid), bc;
	uint8_t pw[48] = {0}, z = 0;

	smb1_setup_words(s, 13);
	smbmsg_le16(s, 24);   /* OEMPasswordLen */
	smbmsg_le16(s, 24);   /* UnicodePasswordLen */
	smbmsg_le32(s, 0);    /* Reserved */
	smbmsg_le32(s, 0xd4); /* Capabilities */
	bc = s->len;
	smbmsg_le16(s, 0); /* ByteCount, set below */
	smbmsg_put(s, pw, sizeof(pw));
	if (unicode && ((s->len - h) & 1))
		smbmsg_put(s, &z, 1);
	if (unicode)
		smbmsg_utf16(s, account);
	else
		smbmsg_put(s, account, strlen(account));
	if (terminate) {
		smbmsg_put(s, &z, 1);
		if (unicode)
			smbmsg_put(s, &z, 1);
		if (unicode)
			smbmsg_utf16(s, domain);
		else
			smbmsg_put(s, domain, strlen(domain));
		smbmsg_put(s, &z, 1);
		if (unicode)
			smbmsg_put(s, &z, 1);
	}
	smbmsg_set16(s, bc, (uint16_t)(s->len - bc - 2));
	return h;
}
