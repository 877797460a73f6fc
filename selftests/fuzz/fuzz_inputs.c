// SPDX-License-Identifier: GPL-2.0
/* fuzz_inputs.c: see fuzz_inputs.h. Each input goes through a real file, as
 * a user's would, by the same loaders `xdphunt run` calls; the messages are
 * captured (log_set_output()) to check that a refusal names the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dcerpc_table.h"
#include "ioc.h"
#include "log.h"
#include "smb_user.h"
#include "fuzz_inputs.h"

/* What every feed is loaded on top of: a refused feed must leave it. */
static const char base_feed[] = "192.0.2.66\n2001:db8:c2::/48\nbase.example\n";

struct fuzz_inputs {
	char path[64];	    /* the input file */
	char base_path[64]; /* base_feed */
	char *msgs;	    /* messages of the last run */
	size_t msgs_len;
	struct fuzz_input_stats st;
};

static int write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int err = !f || (size && fwrite(data, 1, size, f) != size);

	if (f && fclose(f))
		err = 1;
	return err ? -1 : 0;
}

struct fuzz_inputs *fuzz_inputs__open(void)
{
	struct fuzz_inputs *f = calloc(1, sizeof(*f));
	int fd;

	if (!f)
		return NULL;
	snprintf(f->path, sizeof(f->path), "/tmp/xh_fuzz_in_XXXXXX");
	snprintf(f->base_path, sizeof(f->base_path), "/tmp/xh_fuzz_base_XXXXXX");
	fd = mkstemp(f->path);
	if (fd >= 0)
		close(fd);
	if (fd < 0 || (fd = mkstemp(f->base_path)) < 0) {
		fprintf(stderr, "fuzz: cannot make temporary files: %s\n", strerror(errno));
		free(f);
		return NULL;
	}
	close(fd);
	if (write_file(f->base_path, base_feed, sizeof(base_feed) - 1)) {
		fprintf(stderr, "fuzz: cannot write %s\n", f->base_path);
		fuzz_inputs__free(f);
		return NULL;
	}
	return f;
}

void fuzz_inputs__free(struct fuzz_inputs *f)
{
	if (!f)
		return;
	unlink(f->path);
	unlink(f->base_path);
	free(f->msgs);
	free(f);
}

/* A feed on top of the base set: all of it or nothing. */
static int run_feed(struct fuzz_inputs *f)
{
	struct ioc_set *set = ioc_set__new();
	size_t base;
	int n, ok = 1;

	if (!set || ioc_set_load_file(set, f->base_path) <= 0) {
		ioc_set__free(set);
		return -1;
	}
	base = ioc_set_count(set);
	n = ioc_set_load_file(set, f->path);
	if (n > 0) {
		f->st.loaded[FUZZ_IN_IOC_FEED]++;
		ok = ioc_set_count(set) == base + (size_t)n;
	} else {
		f->st.refused[FUZZ_IN_IOC_FEED]++;
		ok = ioc_set_count(set) == base;
	}
	if (!ok)
		f->st.lost[FUZZ_IN_IOC_FEED]++;
	ioc_set__free(set);
	return n > 0 ? 0 : -1;
}

static int run_smb_rules(struct fuzz_inputs *f)
{
	struct smb_rules *r = smb_rules__load_file(f->path);
	int rc = r ? 0 : -1;

	smb_rules__free(r);
	return rc;
}

/* A table file on top of the built-in one, as --dcerpc-table loads it. */
static int run_dcerpc(struct fuzz_inputs *f)
{
	struct dcerpc_table *t = dcerpc_table__new();
	int n = -1;

	if (t && dcerpc_table_load_builtin(t) >= 0)
		n = dcerpc_table_load_file(t, f->path);
	dcerpc_table__free(t);
	return n >= 0 ? 0 : -1;
}

void fuzz_inputs_run(struct fuzz_inputs *f, enum fuzz_input_kind kind, const uint8_t *data,
		     size_t size)
{
	FILE *ms;
	int rc;

	if (kind >= FUZZ_IN__MAX)
		return;
	f->st.runs[kind]++;
	if (write_file(f->path, data, size))
		return;
	free(f->msgs);
	f->msgs = NULL;
	f->msgs_len = 0;
	ms = open_memstream(&f->msgs, &f->msgs_len);
	log_set_output(ms);
	if (kind == FUZZ_IN_IOC_FEED)
		rc = run_feed(f);
	else if (kind == FUZZ_IN_SMB_RULES)
		rc = run_smb_rules(f);
	else
		rc = run_dcerpc(f);
	log_set_output(NULL);
	if (ms)
		fclose(ms);
	if (kind != FUZZ_IN_IOC_FEED) {
		if (rc)
			f->st.refused[kind]++;
		else
			f->st.loaded[kind]++;
	}
	/* A refusal names the file the user gave. */
	if (rc && (!f->msgs || !strstr(f->msgs, f->path)))
		f->st.unnamed[kind]++;
}

const struct fuzz_input_stats *fuzz_inputs_stats(const struct fuzz_inputs *f)
{
	return &f->st;
}

const char *fuzz_inputs_messages(const struct fuzz_inputs *f)
{
	return f->msgs ? f->msgs : "";
}
